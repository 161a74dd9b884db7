/**
 * The gallery a new template starts from: the starter designs (spotlight, last finishers,
 * leaderboard; landscape and portrait), each with a live thumbnail of its runner design, and
 * a blank screen of either shape.
 */
import { STARTER_DESIGNS, type StarterDesign } from '../../../src/shared/starter-designs';
import { designSize, type TemplateDesign, type TemplateFormat } from '../../../src/shared/template-fields';
import { frameDocument } from '../display/stage';

export interface StarterChoice {
  id: string;
  label: string;
  format: TemplateFormat;
  runner: TemplateDesign;
  idle: TemplateDesign;
}

const EMPTY = { html: '', css: '' };
const blank = (format: TemplateFormat): StarterChoice => ({ id: `blank-${format}`, label: 'Blank', format, runner: EMPTY, idle: EMPTY });

/** Every choice, starters first; the first is the default. */
export const STARTER_CHOICES: readonly StarterChoice[] = [...STARTER_DESIGNS, blank('landscape'), blank('portrait')];

const FORMAT_LABELS: Record<TemplateFormat, string> = { landscape: '16:9', portrait: 'Portrait' };
/** Thumbnails are this many pixels on their long side. */
const THUMB = 176;

function Thumbnail({ choice }: { choice: StarterChoice }) {
  const size = designSize(choice.format);
  const scale = THUMB / Math.max(size.width, size.height);
  return (
    <span className="starter-thumb" style={{ width: size.width * scale, height: size.height * scale }} aria-hidden="true">
      {choice.runner.html ? (
        // No scripts and no requests: the same sandbox the screens use.
        <iframe
          title={`${choice.label} preview`}
          sandbox=""
          tabIndex={-1}
          srcDoc={frameDocument(choice.runner, size)}
          width={size.width}
          height={size.height}
          style={{ transform: `scale(${scale})` }}
        />
      ) : null}
    </span>
  );
}

export function StarterGallery({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  return (
    <fieldset className="starter-gallery" data-testid="starter-gallery">
      <legend>Start from</legend>
      {STARTER_CHOICES.map((choice) => (
        <label key={choice.id} className="starter" data-starter={choice.id}>
          <input type="radio" name="starter" value={choice.id} checked={value === choice.id} onChange={() => onChange(choice.id)} />
          <Thumbnail choice={choice} />
          <span className="starter-label">
            <strong>
              {choice.label} · {FORMAT_LABELS[choice.format]}
            </strong>
            <span className="muted small">{'description' in choice ? (choice as StarterDesign).description : 'An empty screen to draw on.'}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
