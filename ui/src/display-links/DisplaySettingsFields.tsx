/** How a link's screens behave: time per runner, the queue, repeats, messages, sound, animation. */
import type { DisplaySettings } from '../api';
import { Field } from '../components/Form';
import { LIMITS } from '../displaySettings';
import type { SettingsDraft } from './link-draft';

/** A number input bounded by one of the settings' limits. */
function NumberField(props: { label: string; name: string; limits: readonly [number, number]; step: string; value: string; onChange: (value: string) => void }) {
  return (
    <Field label={props.label}>
      <input
        name={props.name}
        type="number"
        min={props.limits[0]}
        max={props.limits[1]}
        step={props.step}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </Field>
  );
}

export function DisplaySettingsFields({ value, onChange }: { value: SettingsDraft; onChange: (change: Partial<SettingsDraft>) => void }) {
  return (
    <fieldset className="display-fieldset">
      <legend>Display settings</legend>
      <div className="display-form-grid">
        <NumberField label="Minimum display time (seconds)" name="min_display_seconds" limits={LIMITS.minDisplaySeconds} step="0.5" value={value.minSeconds} onChange={(minSeconds) => onChange({ minSeconds })} />
        <NumberField label="Maximum queue (runners waiting)" name="max_queue" limits={LIMITS.maxQueue} step="1" value={value.maxQueue} onChange={(maxQueue) => onChange({ maxQueue })} />
        <Field label="When the queue is full">
          <select name="drop_policy" value={value.dropPolicy} onChange={(e) => onChange({ dropPolicy: e.target.value as DisplaySettings['dropPolicy'] })}>
            <option value="oldest">Drop the oldest waiting runner</option>
            <option value="newest">Drop the newest read</option>
          </select>
        </Field>
        <NumberField label="Repeat window (seconds)" name="repeat_window_seconds" limits={LIMITS.repeatWindowSeconds} step="1" value={value.repeatSeconds} onChange={(repeatSeconds) => onChange({ repeatSeconds })} />
        <Field label="Tag not on the roster">
          <select name="unknown_bib" value={value.unknownBib} onChange={(e) => onChange({ unknownBib: e.target.value as DisplaySettings['unknownBib'] })}>
            <option value="show-bib">Show the bib alone</option>
            <option value="hide">Show nothing</option>
          </select>
        </Field>
        <Field label="Animation">
          <select name="animation" value={value.animation} onChange={(e) => onChange({ animation: e.target.value as DisplaySettings['animation'] })}>
            <option value="fade">Fade</option>
            <option value="slide">Slide</option>
            <option value="none">None</option>
          </select>
        </Field>
      </div>
      <p className="muted small">
        A read of the same tag at the same location within the repeat window shows once (0 = show every read).
      </p>
      <div className="display-form-grid">
        <Field label="Idle messages (one per line)">
          <textarea name="idle_messages" rows={4} value={value.idleMessages} onChange={(e) => onChange({ idleMessages: e.target.value })} />
        </Field>
        <Field label="Server messages (one per line, one picked per runner)">
          <textarea name="server_messages" rows={4} value={value.serverMessages} onChange={(e) => onChange({ serverMessages: e.target.value })} />
        </Field>
        <Field label="Rotating messages (one per line, for runners without their own)">
          <textarea name="rotating_messages" rows={4} value={value.rotatingMessages} onChange={(e) => onChange({ rotatingMessages: e.target.value })} />
        </Field>
      </div>
      <div className="display-form-grid">
        <Field label="Only races (comma separated; empty = every race)">
          <input name="races" placeholder="e.g. 10K" value={value.races} onChange={(e) => onChange({ races: e.target.value })} />
        </Field>
        <Field label="Only waves (comma separated; empty = every wave)">
          <input name="waves" placeholder="e.g. Wave 1" value={value.waves} onChange={(e) => onChange({ waves: e.target.value })} />
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" name="sound" checked={value.sound} onChange={(e) => onChange({ sound: e.target.checked })} />
        Play a sound for each runner
      </label>
    </fieldset>
  );
}
