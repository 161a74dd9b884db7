/**
 * Race Roster: what shared/spec/providers.md marks [guess] or does not say, in one place. The
 * fake server serves exactly these; if the real API differs, change it here.
 */

/** [guess] Participant row fields of GET /v1/events/{eventId}/participants (the envelope `{data, metadata}` is [seen]). */
export const PARTICIPANT_FIELDS = {
  id: 'participantId',
  registrationId: 'registrationId',
  subEventId: 'subEventId',
  bib: 'bibNumber',
  firstName: 'firstName',
  lastName: 'lastName',
  gender: 'gender',
  birthDate: 'dateOfBirth',
  city: 'city',
  region: 'region',
  country: 'country',
  team: 'teamName',
  registeredAt: 'registrationDate',
  updatedAt: 'lastModifiedDate',
  active: 'isActive',
} as const;

/** [guess] GET /v1/events/{eventId}: one event as `{data: {...}}` (a one-element list is accepted too). */
export const SINGLE_EVENT_IN_DATA = true;

/**
 * [guess] The public results site addresses an event by a code; we use the registration
 * event id as that code unless the event carries `resultsCode`. `GET /events/{code}` answers
 * `{data: {subEvents: [{subEventId, name, resultEventId}]}}`.
 */
export const RESULTS_CODE_FIELD = 'resultsCode';

/** Page sizes: participants (ours to choose; the API's maximum is not documented) and results ([seen] limit=1000). */
export const PARTICIPANT_PAGE = 500;
export const RESULTS_PAGE = 1000;
