/**
 * The Ask screen's chart, drawn as plain SVG at the width it is given (no chart library):
 * horizontal bars with a labelled value axis, or a vertical histogram of finish times.
 */
import { useEffect, useRef, useState } from 'react';
import { clock, type BarChart, type Chart, type Histogram } from '../askView';

/** Round tick steps: 1, 2, 5 × 10^n (for times: whole minutes, quarter hours, hours). */
function niceStep(max: number, ticks: number, time: boolean): number {
  if (time) {
    const steps = [60_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000];
    return steps.find((s) => max / s <= ticks) ?? steps[steps.length - 1]!;
  }
  const raw = max / ticks;
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? p * 10;
}

function useWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => setWidth(Math.max(240, Math.floor(el.clientWidth)));
    update();
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export function AskChart({ chart }: { chart: Chart }) {
  const [ref, width] = useWidth();
  return (
    <figure className="ask-chart" data-testid="ask-chart" ref={ref}>
      <figcaption>{chart.title}</figcaption>
      {chart.kind === 'bars' ? <Bars chart={chart} width={width} /> : <HistogramSvg chart={chart} width={width} />}
    </figure>
  );
}

function Bars({ chart, width }: { chart: BarChart; width: number }) {
  const left = 8;
  const right = 16;
  const row = 40;
  const top = 4;
  const plot = width - left - right;
  const max = Math.max(...chart.bars.map((b) => b.value), 1);
  const step = niceStep(max, width < 500 ? 3 : 6, chart.time);
  const end = Math.ceil(max / step) * step;
  const x = (v: number) => left + (plot * v) / end;
  const axisY = top + chart.bars.length * row + 4;
  const height = axisY + 42;
  const ticks = Array.from({ length: Math.round(end / step) + 1 }, (_, i) => i * step);
  const fmt = (v: number) => (chart.time ? clock(v) : v.toLocaleString());
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${chart.title}: ${chart.bars.map((b) => `${b.label} ${b.text}`).join(', ')}`}>
      {ticks.map((t) => (
        <line key={t} x1={x(t)} x2={x(t)} y1={top} y2={axisY} className="ask-chart-grid" />
      ))}
      {chart.bars.map((b, i) => {
        const y = top + i * row;
        const w = Math.max(1, x(b.value) - left);
        const inside = w > 70;
        return (
          <g key={`${b.label}-${i}`} className="ask-chart-bar">
            <text x={left} y={y + 12} className="ask-chart-label">
              {b.label}
            </text>
            <rect x={left} y={y + 17} width={w} height={16} rx={2}>
              <title>{`${b.label}: ${b.text}`}</title>
            </rect>
            <text x={inside ? left + w - 4 : left + w + 4} y={y + 29} textAnchor={inside ? 'end' : 'start'} className={inside ? 'ask-chart-value inside' : 'ask-chart-value'}>
              {b.text}
            </text>
          </g>
        );
      })}
      <line x1={left} x2={left + plot} y1={axisY} y2={axisY} className="ask-chart-axis" />
      {ticks.map((t, i) => (
        <text key={t} x={x(t)} y={axisY + 15} textAnchor={i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'} className="ask-chart-tick">
          {fmt(t)}
        </text>
      ))}
      <text x={left + plot / 2} y={axisY + 34} textAnchor="middle" className="ask-chart-axis-label">
        {chart.axis}
      </text>
    </svg>
  );
}

function HistogramSvg({ chart, width }: { chart: Histogram; width: number }) {
  const left = 44;
  const right = 12;
  const top = 8;
  const plotH = 180;
  const plot = width - left - right;
  const max = Math.max(...chart.bins.map((b) => b.count), 1);
  const step = niceStep(max, 4, false);
  const end = Math.max(step, Math.ceil(max / step) * step);
  const y = (v: number) => top + plotH - (plotH * v) / end;
  const bw = plot / chart.bins.length;
  const baseY = top + plotH;
  const yTicks = Array.from({ length: Math.round(end / step) + 1 }, (_, i) => i * step);
  // bin edges labelled as far apart as fits (about 70 px each)
  const every = Math.max(1, Math.ceil(70 / bw));
  const edges = [...chart.bins.map((b) => b.from), chart.bins[chart.bins.length - 1]!.to];
  const height = baseY + 44;
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${chart.title}: ${chart.bins.map((b) => `${clock(b.from)}–${clock(b.to)} ${b.count}`).join(', ')}`}>
      {yTicks.map((t) => (
        <g key={t}>
          <line x1={left} x2={left + plot} y1={y(t)} y2={y(t)} className="ask-chart-grid" />
          <text x={left - 6} y={y(t) + 4} textAnchor="end" className="ask-chart-tick">
            {t}
          </text>
        </g>
      ))}
      {chart.bins.map((b, i) => (
        <g key={b.from} className="ask-chart-bar">
          <rect x={left + i * bw + 1} y={y(b.count)} width={Math.max(1, bw - 2)} height={baseY - y(b.count)}>
            <title>{`${clock(b.from)}–${clock(b.to)}: ${b.count}`}</title>
          </rect>
        </g>
      ))}
      <line x1={left} x2={left + plot} y1={baseY} y2={baseY} className="ask-chart-axis" />
      {edges.map((e, i) =>
        i % every === 0 ? (
          <text key={e} x={left + i * bw} y={baseY + 15} textAnchor={i === 0 ? 'start' : i === edges.length - 1 ? 'end' : 'middle'} className="ask-chart-tick">
            {clock(e)}
          </text>
        ) : null,
      )}
      <text x={left + plot / 2} y={baseY + 36} textAnchor="middle" className="ask-chart-axis-label">
        {chart.axis}
      </text>
      <text x={12} y={top + plotH / 2} textAnchor="middle" transform={`rotate(-90 12 ${top + plotH / 2})`} className="ask-chart-axis-label">
        runners
      </text>
    </svg>
  );
}
