/** One-shot administrative commands: migrate, archive, citus-plan, source create. */
import { SecretBox, loadSecretKey } from '../accounts/secret-box.js';
import { TimingSources } from '../accounts/timing-sources.service.js';
import { citusReadiness, citusStatements } from '../db/citus-ready.js';
import { asPlatform } from '../db/tenant.js';
import { openRuntime } from '../runtime.js';
import { archiveReads } from '../worker/archive.js';
import type { Output } from './context.js';

export async function migrateCommand(opts: { verbose?: boolean }, io: Output): Promise<number> {
  const runtime = await openRuntime({ command: opts });
  await runtime.close();
  const applied = runtime.migrationsApplied;
  io.out(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'database schema is up to date\n');
  return 0;
}

/**
 * The schema's Citus readiness, read off the catalog (src/db/citus-ready.ts), and the
 * statements to run on a Citus coordinator; exit 1 with the problems when it is not ready.
 */
export async function citusPlanCommand(opts: { json?: boolean; verbose?: boolean }, io: Output): Promise<number> {
  const runtime = await openRuntime({ command: opts });
  try {
    const report = await citusReadiness(runtime.owner);
    const statements = citusStatements(report);
    if (opts.json) io.out(JSON.stringify({ ready: report.problems.length === 0, problems: report.problems, plan: report.plan, statements }) + '\n');
    else if (report.problems.length > 0) io.err(`not ready for Citus:\n${report.problems.map((p) => `  ${p}\n`).join('')}`);
    else io.out(statements.join('\n') + '\n');
    return report.problems.length === 0 ? 0 : 1;
  } finally {
    await runtime.close();
  }
}

export interface ArchiveOptions {
  days?: number;
  verbose?: boolean;
}

export async function archiveCommand(opts: ArchiveOptions, io: Output): Promise<number> {
  const runtime = await openRuntime({ command: opts });
  try {
    const { config, log, db } = runtime;
    const days = opts.days ?? config.ARCHIVE_AFTER_DAYS;
    const cutoff = new Date(Date.now() - days * 24 * 3600 * 1000);
    const moved = await archiveReads(db, cutoff);
    log.info({ moved, days }, 'archive done');
    io.out(`moved ${moved} reads older than ${days} days to timing_reads_archive\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}

export interface SourceCreateOptions {
  name: string;
  partner: string;
  user?: string;
  json?: boolean;
  verbose?: boolean;
}

export async function sourceCreateCommand(opts: SourceCreateOptions, io: Output): Promise<number> {
  const runtime = await openRuntime({ command: opts });
  const { config, db } = runtime;
  try {
    // Finding a partner by slug is a platform-level question (the operator's CLI).
    const partner = await asPlatform(db, (tx) => tx.query<{ id: number }>('SELECT id FROM partners WHERE slug = $1', [opts.partner]));
    const partnerId = partner.rows[0]?.id;
    if (partnerId === undefined) {
      io.err(`p88: no partner "${opts.partner}"\n`);
      return 1;
    }
    const sources = new TimingSources(db, new SecretBox(await loadSecretKey(config.secretKey, config.dataDir)));
    const created = await sources.create(partnerId, opts.name, opts.user);
    io.out(
      opts.json
        ? `${JSON.stringify({ partner: opts.partner, name: opts.name, userId: created.userId, secret: created.secret, collectorPort: config.COLLECTOR_PORT })}\n`
        : `Timing source created. Enter these in the timing software (the secret is shown only now):\n` +
            `  collector  <this host>:${config.COLLECTOR_PORT}\n  user id    ${created.userId}\n  secret     ${created.secret}\n`,
    );
    return 0;
  } finally {
    await runtime.close();
  }
}
