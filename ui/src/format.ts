/** Display formats for times coming from the API (ISO strings). */

const timeOfDay = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  fractionalSecondDigits: 2,
  hour12: false,
});

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function parse(iso: string | null): Date | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** 14:02:15.31 — reads are read to the hundredth of a second. */
export function formatReadTime(iso: string): string {
  const date = parse(iso);
  return date ? timeOfDay.format(date) : iso;
}

export function formatDateTime(iso: string | null): string {
  const date = parse(iso);
  return date ? dateTime.format(date) : '—';
}

/** "12 s ago", "5 min ago", or the date when older than a day. */
export function formatAgo(iso: string | null, now: number = Date.now()): string {
  const date = parse(iso);
  if (!date) return 'never';
  const seconds = Math.max(0, Math.round((now - date.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return dateTime.format(date);
}

/** "1 tag", "2 tags": a count with its noun, singular for one. */
export function countOf(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
