-- Roster imports running in the background (issue 4): the ChronoTrack Live import answers at
-- once with an import id, and the dashboard polls its progress. The job runs in the web
-- process that accepted it; its state is here rather than in that process's memory so that
-- a poll answered by another web node (REDIS_URL deployments) sees the same progress.
--
-- A running row is refreshed while its job lives (progress per page and a heartbeat); one
-- left behind by a stopped process is reported as failed once it is stale. Finished rows
-- are kept about ten minutes for the last polls, then deleted.
CREATE TABLE roster_imports (
  id text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
  partner_id integer NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('ctlive')),
  -- The provider's event id being imported.
  external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 100),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  -- Rows received from the provider so far, and how many it says there are (NULL until it says).
  received integer NOT NULL DEFAULT 0 CHECK (received >= 0),
  total integer CHECK (total >= 0),
  -- The roster event written (done), the counts and the rows not imported.
  event_id integer,
  result jsonb,
  -- What went wrong (failed), fit to show the user.
  error text,
  created_by integer REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  CHECK ((status = 'running') = (finished_at IS NULL))
);
CREATE INDEX roster_imports_partner ON roster_imports (partner_id, created_at DESC);
-- One running import per provider event and partner: a second start joins the first.
CREATE UNIQUE INDEX roster_imports_running ON roster_imports (partner_id, source, external_id) WHERE status = 'running';

SELECT p88_isolate_tenant('roster_imports');
