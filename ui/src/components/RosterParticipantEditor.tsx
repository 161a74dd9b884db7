/**
 * Hand edit of one participant: only the fields changed are sent (an import later keeps what
 * it does not provide, e.g. ChronoTrack never overwrites the message typed here).
 */
import { useState, type FormEvent } from 'react';
import { rosterApi, type Participant, type ParticipantPatch } from '../api';
import { useAction } from '../useAction';
import { Field, FormError } from './Form';

type TextKey = 'bib' | 'first_name' | 'last_name' | 'city' | 'state' | 'country' | 'division' | 'race' | 'wave' | 'team' | 'custom_message';

const TEXT_FIELDS: { key: TextKey; label: string; max: number }[] = [
  { key: 'bib', label: 'Bib', max: 32 },
  { key: 'first_name', label: 'First name', max: 200 },
  { key: 'last_name', label: 'Last name', max: 200 },
  { key: 'city', label: 'City', max: 200 },
  { key: 'state', label: 'State / province', max: 200 },
  { key: 'country', label: 'Country', max: 200 },
  { key: 'division', label: 'Division', max: 200 },
  { key: 'race', label: 'Race', max: 200 },
  { key: 'wave', label: 'Wave', max: 200 },
  { key: 'team', label: 'Team', max: 200 },
];

const GENDERS: { value: Participant['gender']; label: string }[] = [
  { value: 'U', label: 'Unknown' },
  { value: 'F', label: 'Female' },
  { value: 'M', label: 'Male' },
  { value: 'X', label: 'Non-binary / other' },
];

type Draft = Record<TextKey | 'custom_message' | 'tags' | 'age', string> & { gender: Participant['gender'] };

function draftOf(p: Participant): Draft {
  const d = { gender: p.gender, tags: p.tags.join(', '), age: p.age === null ? '' : String(p.age) } as Draft;
  for (const { key } of TEXT_FIELDS) d[key] = p[key] ?? '';
  d.custom_message = p.custom_message ?? '';
  return d;
}

/** The fields that differ from the participant, as the PATCH body; a string error for bad input. */
function patchOf(p: Participant, d: Draft): ParticipantPatch | string {
  const patch: ParticipantPatch = {};
  const text = (key: TextKey | 'custom_message') => {
    const v = d[key].trim();
    if (v !== (p[key] ?? '')) (patch as Record<string, string | null>)[key] = v === '' ? (key === 'bib' ? '' : null) : v;
  };
  for (const { key } of TEXT_FIELDS) text(key);
  text('custom_message');
  if (patch.bib === '') return 'The bib cannot be empty.';
  const tags = [...new Set(d.tags.split(/[\s,;]+/).filter(Boolean))];
  if (tags.join(',') !== p.tags.join(',')) patch.tags = tags;
  const age = d.age.trim();
  if (age === '') {
    if (p.age !== null) patch.age = null;
  } else {
    if (!/^\d{1,3}$/.test(age) || Number(age) > 130) return 'Age is a whole number up to 130.';
    if (Number(age) !== p.age) patch.age = Number(age);
  }
  if (d.gender !== p.gender) patch.gender = d.gender;
  return patch;
}

export function RosterParticipantEditor({
  participant,
  onSaved,
  onCancel,
  onExpired,
  onRefused,
}: {
  participant: Participant;
  onSaved: (p: Participant) => void;
  onCancel: () => void;
  onExpired: () => void;
  onRefused?: (message: string) => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(participant));
  const [invalid, setInvalid] = useState<string | null>(null);
  const save = useAction(onExpired, onRefused);
  const set = (key: keyof Draft, value: string) => setDraft((d) => ({ ...d, [key]: value }));

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const patch = patchOf(participant, draft);
    if (typeof patch === 'string') return setInvalid(patch);
    setInvalid(null);
    if (Object.keys(patch).length === 0) return onCancel();
    const saved = await save.run(() => rosterApi.updateParticipant(participant.id, patch));
    if (saved) onSaved(saved);
  };

  const error = invalid ?? save.error;
  return (
    <form className="roster-editor" onSubmit={onSubmit} aria-label={`Edit bib ${participant.bib}`} data-testid="participant-editor">
      <div className="roster-editor-grid">
        {TEXT_FIELDS.map(({ key, label, max }) => (
          <label className="field" key={key}>
            <span>{label}</span>
            <input name={key} maxLength={max} value={draft[key]} onChange={(e) => set(key, e.target.value)} required={key === 'bib'} />
          </label>
        ))}
        <Field label="Age">
          <input name="age" inputMode="numeric" value={draft.age} onChange={(e) => set('age', e.target.value)} />
        </Field>
        <Field label="Gender">
          <select name="gender" value={draft.gender} onChange={(e) => set('gender', e.target.value)}>
            {GENDERS.map((g) => (
              <option key={g.value} value={g.value}>
                {g.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Chip / tag codes">
          <input name="tags" value={draft.tags} onChange={(e) => set('tags', e.target.value)} placeholder="comma-separated" />
        </Field>
      </div>
      <Field label="Message">
        <textarea
          name="custom_message"
          maxLength={500}
          rows={2}
          value={draft.custom_message}
          onChange={(e) => set('custom_message', e.target.value)}
          placeholder="Shown on the display with this runner"
        />
      </Field>
      <FormError message={error} />
      <div className="inline-form">
        <button type="submit" className="button button-primary" disabled={save.pending}>
          {save.pending ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={save.pending}>
          Cancel
        </button>
      </div>
    </form>
  );
}
