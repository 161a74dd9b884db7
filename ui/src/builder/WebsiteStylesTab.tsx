/** Colours and fonts of a race website; a click applies one to the selected element. */
import type { Editor } from 'grapesjs';
import { useState, type FormEvent } from 'react';
import { api, type FetchedStyles } from '../api';
import { Field, FormError } from '../components/Form';
import { useAction } from '../useAction';

export function WebsiteStylesTab({
  editor,
  canManage,
  onExpired,
  onRefused,
}: {
  editor: Editor | null;
  canManage: boolean;
  onExpired: () => void;
  onRefused?: ((message: string) => void) | undefined;
}) {
  const [url, setUrl] = useState('');
  const [styles, setStyles] = useState<FetchedStyles | null>(null);
  const [target, setTarget] = useState<'color' | 'background-color'>('color');
  const [hint, setHint] = useState<string | null>(null);
  const fetching = useAction(onExpired, onRefused);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setHint(null);
    const answer = await fetching.run(() => api.fetchStyles(url.trim()));
    if (answer) setStyles(answer);
  };
  const apply = (property: string, value: string) => {
    const selected = editor?.getSelected();
    if (!selected) {
      setHint('Select an element on the screen first.');
      return;
    }
    selected.addStyle({ [property]: value });
    setHint(`${property === 'font-family' ? 'Font' : property === 'color' ? 'Text colour' : 'Background'} set to ${value}.`);
  };

  if (!canManage) return <p className="muted small">Only staff, admins and owners can import styles.</p>;
  return (
    <div className="website-styles">
      <p className="muted small">Use the colours and fonts of the race’s website.</p>
      <form className="form" onSubmit={onSubmit} aria-label="Import styles from website">
        <Field label="Website address">
          <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="www.example-marathon.com" required maxLength={2048} />
        </Field>
        <button type="submit" className="button button-small" disabled={fetching.pending || url.trim() === ''}>
          {fetching.pending ? 'Reading the site…' : 'Import styles'}
        </button>
      </form>
      <FormError message={fetching.error} testId="fetch-styles-error" />
      {styles ? (
        <div data-testid="website-styles">
          <p className="muted small">From {styles.url}</p>
          <div className="segmented segmented-small" role="group" aria-label="Colour applies to">
            <button type="button" aria-pressed={target === 'color'} className={target === 'color' ? 'active' : undefined} onClick={() => setTarget('color')}>
              Text
            </button>
            <button
              type="button"
              aria-pressed={target === 'background-color'}
              className={target === 'background-color' ? 'active' : undefined}
              onClick={() => setTarget('background-color')}
            >
              Background
            </button>
          </div>
          {styles.colors.length === 0 ? <p className="muted small">No colours found.</p> : null}
          <div className="swatches">
            {styles.colors.map((c) => (
              <button key={c} type="button" className="swatch" style={{ backgroundColor: c }} title={c} aria-label={`Colour ${c}`} onClick={() => apply(target, c)} />
            ))}
          </div>
          {styles.fonts.length === 0 ? <p className="muted small">No fonts found.</p> : null}
          <div className="font-list">
            {styles.fonts.map((f) => (
              <button key={f} type="button" className="button button-small" style={{ fontFamily: f }} onClick={() => apply('font-family', f)}>
                {f}
              </button>
            ))}
          </div>
        </div>
      ) : null}
      {hint ? <p className="muted small" role="status">{hint}</p> : null}
    </div>
  );
}
