/**
 * ACTIVE.com (ACTIVE Network): the public search is [seen]; everything about registrations
 * is [guess] (ACTIVEWorks Endurance's endpoints are not public). All of it is here.
 */

/** [guess] Registrations live on the same host as the search, under this path, with the account token as a bearer. */
export const REGISTRATIONS_PATH = (assetGuid: string) => `/activeworks/v1/events/${assetGuid}/registrations`;
export const TOKEN_HEADER = (token: string) => ({ authorization: `Bearer ${token}` });

/** [guess] Registration row fields; `categoryName` names one of the asset's components (our Race). */
export const REGISTRATION_FIELDS = {
  id: 'registrationId',
  category: 'categoryName',
  firstName: 'firstName',
  lastName: 'lastName',
  gender: 'gender',
  birthDate: 'dateOfBirth',
  bib: 'bib',
  city: 'city',
  region: 'state',
  country: 'country',
  createdAt: 'createdDate',
  status: 'status',
} as const;

/** [guess] One asset with its components: `GET /v2/assets/{assetGuid}?api_key=` (the search's asset shape). */
export const ASSET_PATH = (assetGuid: string) => `/v2/assets/${assetGuid}`;

/** [guess] Search narrowed to the partner's organization. */
export const ORG_PARAM = 'org.organizationGuid';

export const SEARCH_PAGE = 50;
export const REGISTRATIONS_PAGE = 100;
