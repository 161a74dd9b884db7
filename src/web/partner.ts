import type { FastifyRequest } from 'fastify';

/** The built-in partner (slug 'local') that migration 0001 creates. */
export const LOCAL_PARTNER_ID = 1;

/**
 * The partner a request acts for. Accounts do not exist yet, so every request acts as the
 * local partner; the accounts issue replaces this with the signed-in user's partner (and sets
 * it for row-level security). Every repository query already filters by the id returned here.
 */
export function requestPartnerId(_request: FastifyRequest): number {
  return LOCAL_PARTNER_ID;
}
