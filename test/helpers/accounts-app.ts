/** Test helpers for accounts: the web app with accounts registered, and mail read from its log. */
import type { TestDatabase } from './db.js';
import type { Logger } from '../../src/log.js';
import { buildTestApp, type TestApp } from './app.js';
import { registerAccounts } from '../../src/accounts/accounts.routes.js';
import type { Accounts } from '../../src/accounts/accounts.service.js';

export const TEST_PUBLIC_URL = 'http://p88.test';

export interface AccountsTestApp extends TestApp {
  accounts: Accounts;
  /** Mails "sent" so far (written to the log: no SMTP in tests), oldest first. */
  mails(): Array<{ to: string; subject: string; text: string }>;
}

/** The web app over the test database, with accounts registered unless app.ts already does. */
export async function buildAccountsTestApp(testDb: TestDatabase): Promise<AccountsTestApp> {
  const t = await buildTestApp(testDb.db);
  const accounts = t.app.hasDecorator('accounts')
    ? t.app.accounts
    : await registerAccounts(t.app, { db: testDb.db, log: t.app.log as Logger, publicUrl: TEST_PUBLIC_URL });
  await t.app.ready();
  return {
    ...t,
    accounts,
    mails: () =>
      t
        .logLines()
        .filter((l) => typeof l.mail_to === 'string')
        .map((l) => ({ to: l.mail_to as string, subject: l.mail_subject as string, text: l.mail_text as string })),
  };
}

/** The token in a mailed link (…#token=<token>). */
export function tokenInMail(text: string): string {
  const m = /#token=([A-Za-z0-9_-]+)/.exec(text);
  if (!m) throw new Error(`no token link in: ${text}`);
  return m[1]!;
}
