/** strftime-style formatting of a date in an IANA time zone (for session names). */
export function formatInZone(date: Date, pattern: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
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
