/** A new link may start from a session or template chosen elsewhere (dashboard, builder). */
export interface LinkPreset {
  sessionId?: number;
  templateId?: number;
}

/** /displays?session=ID or ?template=ID: "show this on a display" from the dashboard or the builder. */
export function presetFromAddress(): LinkPreset | null {
  const q = new URLSearchParams(window.location.search);
  const preset: LinkPreset = {};
  const session = Number(q.get('session'));
  const template = Number(q.get('template'));
  if (Number.isInteger(session) && session > 0) preset.sessionId = session;
  if (Number.isInteger(template) && template > 0) preset.templateId = template;
  return Object.keys(preset).length > 0 ? preset : null;
}
