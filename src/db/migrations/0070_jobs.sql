-- The durable job queue (src/jobs/): every background job of every process is a row here.
-- A worker claims due rows with FOR UPDATE SKIP LOCKED (one claimer per row), holds a lease it
-- renews while the handler runs, and settles the row (done, retried later, failed, cancelled).
-- A worker that dies stops renewing; once its lease has run out any worker claims the job again.
--
-- The queue is the platform's: one table that every worker claims from across partners (in a
-- Citus cluster a coordinator-local table, since claiming needs one table), so its key is the
-- job id alone. Rows that work on a partner's data carry partner_id and are row-level secured
-- like tenant tables: a partner's transaction enqueues, reads and cancels only its own jobs;
-- workers claim as the platform. Platform jobs (archival) have no partner.
CREATE TABLE jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The job type's name (src/jobs/registry.ts); also the unit of concurrency and rate limits.
  queue text NOT NULL CHECK (queue ~ '^[a-z][a-z0-9_.-]{0,62}$'),
  partner_id integer REFERENCES partners(id) ON DELETE CASCADE,
  payload jsonb NOT NULL DEFAULT '{}',
  -- A secret the handler needs (provider credentials), sealed with the platform's key by the
  -- enqueuer; every path that ends the job clears it.
  secret text,
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'active', 'done', 'failed', 'cancelled')),
  priority smallint NOT NULL DEFAULT 0,
  -- Claims so far (the running one included); a retry or a lost lease claims again.
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 100),
  -- A queued job is due from run_at (retries wait here for their backoff).
  run_at timestamptz NOT NULL DEFAULT now(),
  -- At most one queued or active job per (queue, partner, key): a schedule or "sync now" that
  -- finds one waiting joins it instead of piling up.
  dedupe_key text CHECK (length(dedupe_key) BETWEEN 1 AND 200),
  -- The claiming worker and how long its claim holds without a renewal.
  locked_by text,
  lease_until timestamptz,
  cancel_requested boolean NOT NULL DEFAULT false,
  -- Progress the handler reports (pages done of total), readable by any web node.
  progress_done integer CHECK (progress_done >= 0),
  progress_total integer CHECK (progress_total >= 0),
  last_error text,
  result jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((state = 'active') = (lease_until IS NOT NULL AND locked_by IS NOT NULL)),
  CHECK ((state IN ('done', 'failed', 'cancelled')) = (finished_at IS NOT NULL)),
  CHECK (finished_at IS NULL OR secret IS NULL)
);
-- Claiming: the due queued jobs of a queue in order, and the leases that ran out.
CREATE INDEX jobs_due ON jobs (queue, priority DESC, run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_leases ON jobs (queue, lease_until) WHERE state = 'active';
CREATE UNIQUE INDEX jobs_dedupe ON jobs (queue, coalesce(partner_id, 0), dedupe_key)
  WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'active');
CREATE INDEX jobs_partner ON jobs (partner_id, created_at DESC) WHERE partner_id IS NOT NULL;
-- Retention deletes finished jobs after a while.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;

SELECT p88_isolate_tenant('jobs');

-- Recurring platform jobs (the daily archival): the worker whose UPDATE moves next_run_at on
-- enqueues the run, so any number of workers enqueue each one once per interval.
CREATE TABLE job_recurring (
  name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_.-]{0,62}$'),
  queue text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  every_ms bigint NOT NULL CHECK (every_ms >= 100),
  next_run_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Token buckets shared by every worker: a queue's rate limit (a provider's API budget) holds
-- across processes. tokens is the bucket's level at updated_at; it refills at the rate the
-- caller states (the limit is code, not data, so a changed limit needs no migration).
CREATE TABLE job_rate_limits (
  key text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 100),
  tokens double precision NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Only platform transactions (workers) may use these two; a partner's transaction sees no row.
ALTER TABLE job_recurring ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_recurring FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_only ON job_recurring USING (p88_visible(NULL)) WITH CHECK (p88_visible(NULL));
ALTER TABLE job_rate_limits ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_rate_limits FORCE ROW LEVEL SECURITY;
CREATE POLICY platform_only ON job_rate_limits USING (p88_visible(NULL)) WITH CHECK (p88_visible(NULL));
