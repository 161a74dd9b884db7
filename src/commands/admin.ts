/** One-shot administrative commands: migrate, archive, source. */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SecretBox, loadSecretKey } from '../accounts/secret-box.js';
import { TimingSources } from '../accounts/timing-sources.service.js';
import { asPlatform } from '../db/tenant.js';
import { openRuntime } from '../runtime.js';
import { archiveReads } from '../worker/archive.js';

export async function migrateCommand(): Promise<number> {
  const runtime = await openRuntime();
  await runtime.close();
  return 0;
}

export async function archiveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { days: { type: 'string' } } });
  const runtime = await openRuntime();
  const { config, log, db } = runtime;
  const days = values.days === undefined ? config.ARCHIVE_AFTER_DAYS : z.coerce.number().int().min(0).parse(values.days);
  const cutoff = new Date(Date.now() - days * 24 * 3600 * 1000);
  const moved = await archiveReads(db, cutoff);
  log.info({ moved, days }, 'archive done');
  process.stdout.write(`moved ${moved} reads older than ${days} days to timing_reads_archive\n`);
  await runtime.close();
  return 0;
}

export async function sourceCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: 'string' }, partner: { type: 'string', default: 'local' }, user: { type: 'string' } },
  });
  if (positionals[0] !== 'create' || !values.name) {
    process.stderr.write('usage: p88 source create --name "Finish laptop" [--partner local] [--user <ctp01-user-id>]\n');
    return 2;
  }
  const runtime = await openRuntime();
  const { config, db } = runtime;
  try {
    // Finding a partner by slug is a platform-level question (the operator's CLI).
    const partner = await asPlatform(db, (tx) => tx.query<{ id: number }>('SELECT id FROM partners WHERE slug = $1', [values.partner]));
    const partnerId = partner.rows[0]?.id;
    if (partnerId === undefined) {
      process.stderr.write(`p88: no partner "${values.partner}"\n`);
      return 2;
    }
    const sources = new TimingSources(db, new SecretBox(await loadSecretKey(config.secretKey, config.dataDir)));
    const created = await sources.create(partnerId, values.name, values.user);
    process.stdout.write(
      `Timing source created. Enter these in the timing software (the secret is shown only now):\n` +
        `  collector  <this host>:${config.COLLECTOR_PORT}\n  user id    ${created.userId}\n  secret     ${created.secret}\n`,
    );
    return 0;
  } finally {
    await runtime.close();
  }
}
