/**
 * UltraSignup has no official API; these are its undocumented JSON endpoints. What
 * shared/spec/providers.md marks [guess] (or does not say) is here, in one place.
 */

/** [seen] Result status codes: 1 finished, 2 DNF, 3 DNS, 5 DQ. 4 and others: unknown [guess]. */
export const STATUS_CODES: Record<number, 'finished' | 'DNF' | 'DNS' | 'DQ'> = { 1: 'finished', 2: 'DNF', 3: 'DNS', 5: 'DQ' };

/** [guess] The entrants list: `GET /participants/{did}` → a bare array (no paging). */
export const ENTRANTS_PATH = (did: string) => `/participants/${did}`;

/**
 * [guess] One edition with its distances: `GET /event/{dtid}` →
 * `{EventId, EventDateId, EventName, EventDate:"/Date(ms)/", City, State, Distances:[{DistanceId, DistanceName}]}`
 * (the same fields closestevents lists [seen], Distances as objects [guess]).
 */
export const EDITION_PATH = (dtid: string) => `/event/${dtid}`;

/** [guess] closestevents' query: we ask for events from a date, no location filter. */
export const CLOSEST_EVENTS_QUERY = (from: string | undefined) => ({ past: '0', ...(from ? { start: from } : {}) });
