/** Signs a test user in through the real endpoint and returns the headers its requests need. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Role } from '../../src/shared/permissions.js';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface SignedIn {
  /** cookie + x-csrf-token: enough for every request, state-changing ones included. */
  headers: Record<string, string>;
  email: string;
  userId: number;
}

let ipCounter = 0;

/** A fresh address per sign-in, so the per-IP sign-in limit never trips a test. */
export function freshIp(): string {
  ipCounter++;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

/** Creates a user (partnerId null = platform admin) and signs it in. */
export async function signIn(app: FastifyInstance, partnerId: number | null, role: Role, email?: string): Promise<SignedIn> {
  const address = email ?? `${role}-${randomBytes(4).toString('hex')}@p88.test`;
  const created = await app.accounts.users.create({ email: address, role, partnerId, password: TEST_PASSWORD });
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: freshIp(), payload: { email: address, password: TEST_PASSWORD } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'p88_session');
  if (!cookie) throw new Error('no session cookie');
  const { csrf_token } = res.json<{ csrf_token: string }>();
  return { headers: { cookie: `p88_session=${cookie.value}`, 'x-csrf-token': csrf_token }, email: address, userId: created.user.id };
}
