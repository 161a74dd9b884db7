/**
 * Every background job of the platform in one place: its type, its handler, its schedule.
 * Job types live beside their domains; this is where a worker learns to run them.
 * To add a job: defineJob(...) beside its domain, then .handle(type, handler) here
 * (and .every(...) if it recurs). Provider sync handlers register with registerSyncHandler.
 */
import type { SecretBox } from '../accounts/secret-box.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { pruneJobsHandler, pruneJobsJob } from '../jobs/maintenance.js';
import { JobRegistry } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import { baseUrlsOf } from '../providers/index.js';
import { ctliveImportJob, rosterImportHandler } from '../sync/roster-imports.js';
import { registerSyncHandler } from '../sync/sync-jobs.js';
import { syncPullHandler } from '../sync/sync-pull.js';
import { archiveReadsHandler, archiveReadsJob } from './archive.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface JobDeps {
  db: Database;
  log: Logger;
  config: Config;
  /** Opens the secrets jobs carry (provider credentials); the web side sealed them with the same key. */
  box: SecretBox;
}

export function buildJobRegistry({ db, log, config, box }: JobDeps): JobRegistry {
  const registry = new JobRegistry()
    .handle(archiveReadsJob, archiveReadsHandler(db, config.ARCHIVE_AFTER_DAYS))
    .every(archiveReadsJob, config.ARCHIVE_INTERVAL_SECONDS * 1000, {})
    .handle(pruneJobsJob, pruneJobsHandler(db, config.JOBS_RETENTION_DAYS * DAY_MS))
    .every(pruneJobsJob, Math.min(HOUR_MS, config.JOBS_RETENTION_DAYS * DAY_MS), {})
    .handle(ctliveImportJob, rosterImportHandler({ db, box, log, ctliveBaseUrl: config.CTLIVE_BASE_URL }));
  // Every sync.<provider> queue: pulls a connected provider event into the results warehouse.
  return registerSyncHandler(registry, syncPullHandler({ db, box, baseUrls: baseUrlsOf(config) }));
}
