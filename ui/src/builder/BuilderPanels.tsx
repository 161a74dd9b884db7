/**
 * The builder's side panels around the canvas: the blocks on the left, the property tabs on the
 * right. GrapesJS mounts its block, style, trait and layer views into the containers given here.
 */
import type { ReactNode, RefObject } from 'react';

export type Tab = 'style' | 'settings' | 'layers' | 'versions' | 'session' | 'website';

export const TABS: ReadonlyArray<{ id: Tab; label: string }> = [
  { id: 'style', label: 'Style' },
  { id: 'settings', label: 'Settings' },
  { id: 'layers', label: 'Layers' },
  { id: 'versions', label: 'Versions' },
  { id: 'session', label: 'Session' },
  { id: 'website', label: 'Website styles' },
];

/** Tabs that stay open when an element is selected (the others give way to its style). */
export const TABS_KEPT_ON_SELECT: ReadonlySet<Tab> = new Set(['versions', 'session', 'website', 'layers']);

export function BlocksPanel({ canManage, blocksRef }: { canManage: boolean; blocksRef: RefObject<HTMLDivElement | null> }) {
  return (
    <aside className="builder-side builder-blocks" aria-label="Blocks">
      <h2>Blocks</h2>
      {canManage ? (
        <p className="muted small">Drag onto the screen. Fields show sample values; the display shows the runner’s.</p>
      ) : (
        <p className="muted small" data-testid="builder-view-only">
          You can look at this template and its versions; an owner or admin can change it.
        </p>
      )}
      <div ref={blocksRef} hidden={!canManage} />
    </aside>
  );
}

export function PropertiesPanel({
  tabs,
  tab,
  onTab,
  stylesRef,
  traitsRef,
  layersRef,
  versions,
  session,
  website,
  selection,
}: {
  /** An element is selected: the style panel styles it (nothing shows otherwise). */
  selection: boolean;
  tabs: ReadonlyArray<{ id: Tab; label: string }>;
  tab: Tab;
  onTab: (tab: Tab) => void;
  stylesRef: RefObject<HTMLDivElement | null>;
  traitsRef: RefObject<HTMLDivElement | null>;
  layersRef: RefObject<HTMLDivElement | null>;
  versions: ReactNode;
  /** Mounted only while its tab is open (it polls the sessions). */
  session: ReactNode;
  website: ReactNode;
}) {
  return (
    <aside className="builder-side builder-panels" aria-label="Properties">
      <div className="builder-tabs" role="tablist">
        {tabs.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} className={tab === t.id ? 'active' : undefined} onClick={() => onTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div className="builder-tab" hidden={tab !== 'style'}>
        <p className="muted small">Select an element on the screen (or the page, for its background) to style it.</p>
        <div ref={stylesRef} hidden={!selection} data-testid="builder-styles" />
      </div>
      <div className="builder-tab" hidden={tab !== 'settings'} data-testid="builder-settings">
        <p className="muted small">For a field: which value it shows, and whether long text shrinks to fit its box.</p>
        <div ref={traitsRef} />
      </div>
      <div className="builder-tab" hidden={tab !== 'layers'}>
        <div ref={layersRef} />
      </div>
      <div className="builder-tab" hidden={tab !== 'versions'}>
        {versions}
      </div>
      <div className="builder-tab" hidden={tab !== 'session'}>
        {tab === 'session' ? session : null}
      </div>
      <div className="builder-tab" hidden={tab !== 'website'}>
        {website}
      </div>
    </aside>
  );
}
