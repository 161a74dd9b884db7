/**
 * Caps the distinct locations of a partner's session across all its connections, so one
 * client cannot create 100,000 locations (each a row, a stream, a line in the stats). Kept in
 * memory: after a restart the count starts again from zero, which the per-connection cap and
 * the cap itself still bound.
 */
export class LocationBudget {
  private readonly sessions = new Map<string, Set<string>>();

  constructor(private readonly maxPerSession: number) {}

  /** True if the location is known or fits; false when the session is at its cap. */
  admit(partnerId: number, sessionId: number | null, location: string): boolean {
    const key = `${partnerId}|${sessionId ?? 'current'}`;
    let set = this.sessions.get(key);
    if (!set) {
      // Old sessions are forgotten first (Map keeps insertion order).
      if (this.sessions.size >= 1000) this.sessions.delete(this.sessions.keys().next().value!);
      set = new Set();
      this.sessions.set(key, set);
    }
    if (set.has(location)) return true;
    if (set.size >= this.maxPerSession) return false;
    set.add(location);
    return true;
  }
}
