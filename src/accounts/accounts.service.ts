/**
 * The accounts domain as one object, built once per process from one set of dependencies:
 * sign-in rate limits and the lockout of unknown emails live in SignIn's memory, so the auth
 * hooks (app.accounts), the routes and a CLI command must all reach the same instance. Each
 * part is the service of one aggregate; no SQL here or in them (the *.repo.ts files) and no
 * HTTP (accounts.routes.ts, auth.ts).
 */
import type { Database } from '../db/database.js';
import { asPlatform } from '../db/tenant.js';
import type { Logger } from '../log.js';
import { DEFAULT_LIMITS, type AccountsLimits, type Links } from './accounts.common.js';
import { ApiTokens } from './api-tokens.service.js';
import { Audit } from './audit.service.js';
import { Invitations } from './invitations.service.js';
import { deleteExpiredInvitations } from './invitations.repo.js';
import type { Mailer } from './mailer.js';
import { Partners } from './partners.service.js';
import { deleteExpiredResets, deleteExpiredSessions } from './sign-in.repo.js';
import { SignIn } from './sign-in.service.js';
import { Users } from './users.service.js';

export interface AccountsDeps {
  /** The application connection (p88_app: row-level security applies). */
  db: Database;
  log: Pick<Logger, 'info' | 'warn'>;
  mailer: Mailer;
  links: Links;
  limits?: Partial<AccountsLimits>;
}

export class Accounts {
  /** Sign-in, browser sessions, password change and reset. */
  readonly signIn: SignIn;
  readonly users: Users;
  readonly invitations: Invitations;
  readonly tokens: ApiTokens;
  readonly partners: Partners;
  readonly audit: Audit;
  private readonly db: Database;

  constructor(deps: AccountsDeps) {
    const limits: AccountsLimits = { ...DEFAULT_LIMITS, ...deps.limits };
    this.db = deps.db;
    this.signIn = new SignIn(deps.db, deps.mailer, deps.links, deps.log, limits);
    this.users = new Users(deps.db);
    this.invitations = new Invitations(deps.db, deps.mailer, deps.links, deps.log, limits);
    this.tokens = new ApiTokens(deps.db);
    this.partners = new Partners(deps.db);
    this.audit = new Audit(deps.db);
  }

  /** Housekeeping: drops sessions, resets and invitations expired over a day ago. */
  async deleteExpired(): Promise<{ sessions: number; resets: number; invitations: number }> {
    const olderThan = new Date(Date.now() - 24 * 3600_000);
    return asPlatform(this.db, async (tx) => ({
      sessions: await deleteExpiredSessions(tx, olderThan),
      resets: await deleteExpiredResets(tx, olderThan),
      invitations: await deleteExpiredInvitations(tx, olderThan),
    }));
  }
}
