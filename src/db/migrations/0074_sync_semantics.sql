-- Pull semantics of provider sync (issue 14): incremental pulls, hand edits a sync keeps,
-- participants removed at the provider, and what each run noticed.

-- Where the last complete pull of a provider event stopped: the adapter's opaque watermark
-- (RunSignUp's modified_after_timestamp, Eventbrite's changed_since, Haku's updated_since),
-- per connection and event. Written in the same transaction as the pull's rows, so a pull that
-- fails leaves the previous cursor (and data) in place. Removed with its connection.
CREATE TABLE sync_cursors (
  partner_id integer NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
  connection_id integer NOT NULL,
  external_event_id text NOT NULL CHECK (length(external_event_id) BETWEEN 1 AND 100),
  -- What the cursor is for (participants today; results have no incremental pull anywhere).
  kind text NOT NULL DEFAULT 'participants' CHECK (kind IN ('participants', 'results')),
  since text NOT NULL CHECK (length(since) BETWEEN 1 AND 200),
  -- When the last full pull ran (removals are only detected by a full one).
  full_pull_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (partner_id, connection_id, external_event_id, kind),
  FOREIGN KEY (partner_id, connection_id) REFERENCES provider_connections (partner_id, id) ON DELETE CASCADE
);
SELECT p88_isolate_tenant('sync_cursors');

-- Warehouse entries: a registration the provider no longer lists is marked (removed_at), never
-- dropped; it is cleared when the provider lists it again. edited_fields names the columns a
-- partner changed by hand: a sync keeps them and says so in its run's notices.
ALTER TABLE entries ADD COLUMN removed_at timestamptz;
ALTER TABLE entries ADD COLUMN edited_fields text[] NOT NULL DEFAULT '{}';

-- Roster participants: the same two marks (a roster fed by a sync; hand edits on the roster screen).
ALTER TABLE participants ADD COLUMN removed_at timestamptz;
ALTER TABLE participants ADD COLUMN edited_fields text[] NOT NULL DEFAULT '{}';

-- What a run kept or noticed without it being an error ({message, record?, field?}): hand
-- edits kept against the provider's value, an incomplete pull that left the previous data.
ALTER TABLE sync_history ADD COLUMN notices jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(notices) = 'array');
ALTER TABLE sync_history ADD COLUMN count_kept integer NOT NULL DEFAULT 0 CHECK (count_kept >= 0);
-- full: every record asked for; incremental: only what changed since the cursor.
ALTER TABLE sync_history ADD COLUMN mode text CHECK (mode IN ('full', 'incremental'));
