/**
 * Which timing locations a link shows: ticks for the locations of the picked session (or of the
 * active one when the link follows it) and for those it filters on already, plus typed ones.
 */
import type { TimingSession } from '../api';
import { Field } from '../components/Form';
import type { LinkDraft } from './link-draft';

type Locations = Pick<LinkDraft, 'checked' | 'otherLocations'>;

export function LinkLocationsFields({
  sessions,
  sessionId,
  value,
  onChange,
}: {
  sessions: TimingSession[];
  sessionId: number | null;
  value: Locations;
  onChange: (change: Partial<Locations>) => void;
}) {
  const picked = sessionId === null ? sessions.find((s) => s.status === 'active') : sessions.find((s) => s.id === sessionId);
  const { checked } = value;
  const choices = [...new Set([...(picked?.locations ?? []), ...checked])];
  const toggle = (location: string, on: boolean) =>
    onChange({ checked: on ? [...checked, location] : checked.filter((l) => l !== location) });
  return (
    <fieldset className="display-fieldset" data-testid="display-locations">
      <legend>Locations</legend>
      <p className="muted small">Show reads from these timing locations only; none ticked and none typed = every location.</p>
      {choices.length > 0 ? (
        <div className="check-row">
          {choices.map((l) => (
            <label key={l} className="check">
              <input type="checkbox" checked={checked.includes(l)} onChange={(e) => toggle(l, e.target.checked)} />
              {l}
            </label>
          ))}
        </div>
      ) : (
        <p className="muted small">
          {picked ? 'This session has no reads yet, so no locations are known: type them below.' : 'Pick a session to choose from its locations, or type them below.'}
        </p>
      )}
      <Field label="Other locations (comma separated)">
        <input name="other_locations" placeholder="e.g. finish" value={value.otherLocations} onChange={(e) => onChange({ otherLocations: e.target.value })} />
      </Field>
    </fieldset>
  );
}
