const formatters = new Map<string, Intl.DateTimeFormat>();

/** A cached formatter giving a zone's wall-clock parts (year … second, 24-hour). */
export function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock parts of an instant in a zone. */
export function wallClock(date: Date, timeZone: string): Record<string, string> {
  return Object.fromEntries(zoneFormatter(timeZone).formatToParts(date).map((p) => [p.type, p.value]));
}

/** strftime-style formatting of a date in an IANA time zone (for session names). */
export function formatInZone(date: Date, pattern: string, timeZone: string): string {
  const parts = wallClock(date, timeZone);
  const map: Record<string, string> = {
    Y: parts.year ?? '',
    m: parts.month ?? '',
    d: parts.day ?? '',
    H: parts.hour ?? '',
    M: parts.minute ?? '',
    S: parts.second ?? '',
    '%': '%',
  };
  return pattern.replace(/%([YmdHMS%])/g, (_, k: string) => map[k] ?? '');
}

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(date: Date, timeZone: string): string {
  return formatInZone(date, '%Y-%m-%d', timeZone);
}
