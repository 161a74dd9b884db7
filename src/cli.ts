/**
 * The p88 command. Each subcommand imports only what it needs, so `p88 simulate` does not
 * load the web stack and `p88 collector` does not load the UI.
 */
import { ConfigError } from './config.js';

const usage = `p88 <command>

  start       collector + web + background jobs in one process (embedded database unless DATABASE_URL)
  collector   the CTP01 collector (TCP ${'$'}COLLECTOR_PORT, status HTTP ${'$'}COLLECTOR_STATUS_PORT)
  web         the web app and API (HTTP ${'$'}PORT)
  worker      background jobs (daily archival)
  migrate     apply database migrations (idempotent)
  archive     move reads older than ARCHIVE_AFTER_DAYS (or --days N) to timing_reads_archive
  simulate    replay a race against a collector as a CTP01 client (p88 simulate --help)
  demo        seed a demo partner (roster, template, display link) and print its URLs and credentials [--json]
              (p88 start --demo does the same as it starts)
  source      create collector credentials: p88 source create --name "Finish laptop" [--partner local]
  partner     create a timing partner: p88 partner create --slug acme --name "Acme Timing"
  user        create a user: p88 user create --email a@b.c (--partner <slug> --role owner|admin|staff|viewer | --platform)
`;

type Command = (args: string[]) => Promise<number | void>;

const commands: Record<string, Command> = {
  start: (args) => import('./commands/serve.js').then((m) => m.serve(['collector', 'web', 'worker'], args)),
  collector: (args) => import('./commands/serve.js').then((m) => m.serve(['collector'], args)),
  web: (args) => import('./commands/serve.js').then((m) => m.serve(['web'], args)),
  worker: (args) => import('./commands/serve.js').then((m) => m.serve(['worker'], args)),
  migrate: () => import('./commands/admin.js').then((m) => m.migrateCommand()),
  archive: (args) => import('./commands/admin.js').then((m) => m.archiveCommand(args)),
  source: (args) => import('./commands/admin.js').then((m) => m.sourceCommand(args)),
  partner: (args) => import('./commands/accounts.js').then((m) => m.partnerCommand(args)),
  user: (args) => import('./commands/accounts.js').then((m) => m.userCommand(args)),
  simulate: (args) => import('./simulator/cli.js').then((m) => m.main(args)),
  demo: (args) => import('./commands/demo.js').then((m) => m.demoCommand(args)),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`p88: unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  return (await cmd(rest)) ?? 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    process.stderr.write(`p88: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
