/**
 * Eventbrite: what shared/spec/providers.md marks [guess] or leaves open, in one place.
 */

/** [guess-ish] A ticket class is our Race (Eventbrite has no notion of a race). */
export const TICKET_CLASS_IS_RACE = true;

/** The custom question the bib is read from when the connection does not name one (partners set their own). */
export const DEFAULT_BIB_QUESTION = 'Bib Number';

/**
 * [guess] changed_since is treated as inclusive ("on or after"): the watermark handed back is
 * the newest `changed` itself, so the boundary attendee comes again and is upserted unchanged.
 */
export const CHANGED_SINCE_INCLUSIVE = true;
