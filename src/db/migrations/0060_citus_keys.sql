-- Keys ready for Citus (issue 16, "Past one machine"): every table distributed by partner_id
-- has partner_id in its primary key and in every unique key, and its foreign keys to other
-- distributed tables carry partner_id on both sides (src/db/citus-ready.ts checks it; README
-- "Scaling out" says which tables are distributed, reference or coordinator-local).
--
-- partner_id goes LAST in each changed key: `WHERE id = $1`, `WHERE token_hash = $1`,
-- `ON CONFLICT (stream_id, sequence_number, partner_id)` keep the leading columns their index
-- had, so every lookup uses the same index as before (the tenant policy's partner test is an
-- OR, never an index condition). Citus needs partner_id in the key, not first. Ids stay unique
-- on their own through their sequences; the database now enforces (id, partner_id).
--
-- On a database that already has 0070-0075, this runs after them: p88_rekey recreates every
-- foreign key that referenced the old key whatever migration made it (sync_schedules' ones).
-- Existing rows are kept; the composite foreign keys are checked against them. On a big
-- timing_reads the index rebuilds take a while (the table is locked meanwhile): apply it in a
-- quiet hour.

-- Replaces tbl's primary key by key_cols. Foreign keys that referenced a key with exactly
-- these columns (the old UNIQUE (id, partner_id) targets) are dropped and made again on the
-- new key; one referencing other columns (id alone) must have been re-pointed first, else
-- this stops the migration. A unique constraint with exactly key_cols is dropped (the new
-- primary key is the same index).
CREATE FUNCTION p88_rekey(tbl regclass, key_cols text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  wanted text[] := ARRAY(SELECT c FROM unnest(key_cols) AS c ORDER BY 1);
  fk record;
  recreate text[] := '{}';
  stmt text;
  con record;
BEGIN
  FOR fk IN
    SELECT k.conrelid::regclass AS src, k.conname, pg_get_constraintdef(k.oid) AS def,
           ARRAY(SELECT a.attname::text FROM unnest(k.confkey) AS u(n)
                   JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY 1) AS cols
      FROM pg_constraint k
     WHERE k.contype = 'f' AND k.confrelid = tbl
  LOOP
    IF fk.cols <> wanted THEN
      RAISE EXCEPTION 'p88_rekey(%): foreign key % on % references (%), re-point it first', tbl, fk.conname, fk.src, array_to_string(fk.cols, ', ');
    END IF;
    recreate := recreate || format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.src, fk.conname, fk.def);
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.src, fk.conname);
  END LOOP;
  FOR con IN
    SELECT k.conname
      FROM pg_constraint k
     WHERE k.conrelid = tbl
       AND (k.contype = 'p'
            OR (k.contype = 'u' AND ARRAY(SELECT a.attname::text FROM unnest(k.conkey) AS u(n)
                                           JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY 1) = wanted))
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', tbl, con.conname);
  END LOOP;
  EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (%s)', tbl,
                 (SELECT relname FROM pg_class WHERE oid = tbl) || '_pkey',
                 (SELECT string_agg(quote_ident(c), ', ') FROM unnest(key_cols) AS c));
  FOREACH stmt IN ARRAY recreate LOOP
    EXECUTE stmt;
  END LOOP;
END
$$;

REVOKE ALL ON FUNCTION p88_rekey(regclass, text[]) FROM PUBLIC;

-- Foreign keys that referenced an id alone: dropped here, made again with partner_id below.
ALTER TABLE timing_locations DROP CONSTRAINT timing_locations_session_id_fkey;
ALTER TABLE timing_streams DROP CONSTRAINT timing_streams_session_id_fkey;
ALTER TABLE timing_streams DROP CONSTRAINT timing_streams_location_id_fkey;
ALTER TABLE display_links DROP CONSTRAINT display_links_session_id_fkey;
ALTER TABLE participant_tags DROP CONSTRAINT participant_tags_participant_id_fkey;

-- Timing.
SELECT p88_rekey('timing_sessions', ARRAY['id', 'partner_id']);
SELECT p88_rekey('timing_locations', ARRAY['id', 'partner_id']);
SELECT p88_rekey('timing_streams', ARRAY['id', 'partner_id']);
SELECT p88_rekey('timing_reads', ARRAY['id', 'partner_id']);
ALTER TABLE timing_locations DROP CONSTRAINT timing_locations_session_id_location_name_key;
ALTER TABLE timing_locations ADD CONSTRAINT timing_locations_session_location UNIQUE (session_id, location_name, partner_id);
ALTER TABLE timing_streams DROP CONSTRAINT timing_streams_session_id_source_key_location_name_key;
ALTER TABLE timing_streams ADD CONSTRAINT timing_streams_source UNIQUE (session_id, source_key, location_name, partner_id);
DROP INDEX timing_reads_dedup;
CREATE UNIQUE INDEX timing_reads_dedup ON timing_reads (stream_id, sequence_number, partner_id);
DROP INDEX timing_reads_archive_dedup;
CREATE UNIQUE INDEX timing_reads_archive_dedup ON timing_reads_archive (stream_id, sequence_number, partner_id);
ALTER TABLE timing_locations ADD CONSTRAINT timing_locations_session
  FOREIGN KEY (session_id, partner_id) REFERENCES timing_sessions (id, partner_id) ON DELETE CASCADE;
ALTER TABLE timing_streams ADD CONSTRAINT timing_streams_session
  FOREIGN KEY (session_id, partner_id) REFERENCES timing_sessions (id, partner_id) ON DELETE CASCADE;
ALTER TABLE timing_streams ADD CONSTRAINT timing_streams_location
  FOREIGN KEY (location_id, partner_id) REFERENCES timing_locations (id, partner_id) ON DELETE CASCADE;
ALTER TABLE display_links ADD CONSTRAINT display_links_session
  FOREIGN KEY (session_id, partner_id) REFERENCES timing_sessions (id, partner_id) ON DELETE SET NULL (session_id);

-- Display links: distributed like the rest, keyed (id, partner_id). A screen opens a link by
-- its id alone before the partner is known (p88_display_link, by the key's leading column), so
-- ids must stay unique across partners: the key no longer says so on its own, this function
-- does, and creating a link draws another id while it answers true (display-links.service.ts).
SELECT p88_rekey('display_links', ARRAY['id', 'partner_id']);
CREATE FUNCTION p88_display_link_id_taken(p_id text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  caller_platform text := current_setting('app.platform', true);
  taken boolean;
BEGIN
  PERFORM set_config('app.platform', 'on', true);
  SELECT EXISTS (SELECT 1 FROM display_links l WHERE l.id = p_id) INTO taken;
  PERFORM set_config('app.platform', coalesce(caller_platform, ''), true);
  RETURN taken;
END
$$;
REVOKE ALL ON FUNCTION p88_display_link_id_taken(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION p88_display_link_id_taken(text) TO p88_app;

-- Accounts and billing. Token hashes and asset keys are 256/128-bit random values: unique per
-- partner is unique in practice, and the lookup by hash alone keeps its index (hash first).
SELECT p88_rekey('api_tokens', ARRAY['id', 'partner_id']);
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_token_hash_key;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash, partner_id);
SELECT p88_rekey('invitations', ARRAY['id', 'partner_id']);
ALTER TABLE invitations DROP CONSTRAINT invitations_token_hash_key;
ALTER TABLE invitations ADD CONSTRAINT invitations_token_hash_key UNIQUE (token_hash, partner_id);
SELECT p88_rekey('payments', ARRAY['id', 'partner_id']);
ALTER TABLE payments DROP CONSTRAINT payments_stripe_event_id_key;
ALTER TABLE payments ADD CONSTRAINT payments_stripe_event_id_key UNIQUE (stripe_event_id, partner_id);
ALTER TABLE partner_plans DROP CONSTRAINT partner_plans_stripe_customer_id_key;
ALTER TABLE partner_plans ADD CONSTRAINT partner_plans_stripe_customer_id_key UNIQUE (stripe_customer_id, partner_id);

-- Rosters, display templates, assets, roster imports.
SELECT p88_rekey('roster_events', ARRAY['id', 'partner_id']);
SELECT p88_rekey('participants', ARRAY['id', 'partner_id']);
ALTER TABLE participants DROP CONSTRAINT participants_event_bib;
ALTER TABLE participants ADD CONSTRAINT participants_event_bib UNIQUE (event_id, bib, partner_id) DEFERRABLE INITIALLY IMMEDIATE;
DROP INDEX participants_event_external;
CREATE UNIQUE INDEX participants_event_external ON participants (event_id, external_id, partner_id) WHERE external_id IS NOT NULL;
SELECT p88_rekey('participant_tags', ARRAY['event_id', 'tag', 'participant_id', 'partner_id']);
ALTER TABLE participant_tags ADD CONSTRAINT participant_tags_participant
  FOREIGN KEY (participant_id, partner_id) REFERENCES participants (id, partner_id) ON DELETE CASCADE;
SELECT p88_rekey('display_templates', ARRAY['id', 'partner_id']);
SELECT p88_rekey('display_template_versions', ARRAY['template_id', 'version', 'partner_id']);
SELECT p88_rekey('assets', ARRAY['id', 'partner_id']);
ALTER TABLE assets DROP CONSTRAINT assets_key_key;
ALTER TABLE assets ADD CONSTRAINT assets_key_key UNIQUE (key, partner_id);
SELECT p88_rekey('roster_imports', ARRAY['id', 'partner_id']);

-- The results warehouse.
SELECT p88_rekey('results_events', ARRAY['id', 'partner_id']);
SELECT p88_rekey('races', ARRAY['id', 'partner_id']);
SELECT p88_rekey('entries', ARRAY['id', 'partner_id']);
SELECT p88_rekey('results', ARRAY['id', 'partner_id']);
SELECT p88_rekey('splits', ARRAY['id', 'partner_id']);
DROP INDEX results_entry;
CREATE UNIQUE INDEX results_entry ON results (entry_id, partner_id);
DROP INDEX splits_result_label;
CREATE UNIQUE INDEX splits_result_label ON splits (result_id, label, partner_id);

-- The views' parent joins carry partner_id: the parent is found by its whole key, so the
-- planner still removes a LEFT JOIN no column of which is read (0053), and on Citus the join
-- is colocated. Same rows: the foreign keys carry partner_id.
CREATE OR REPLACE VIEW ct_results WITH (security_invoker = true) AS
SELECT r.id,
       r.event_id,
       r.race_id,
       r.entry_id,
       p.bib AS results_bib,
       p.first_name AS results_first_name,
       p.last_name AS results_last_name,
       p.gender AS results_sex,
       p.age AS results_age,
       p.city AS results_hometown,
       p.state AS results_state_code,
       p.country AS results_country_code,
       p88_ms_interval(r.chip_time_ms) AS results_time,
       p88_ms_interval(r.gun_time_ms) AS results_gun_time,
       p88_ms_interval(r.pace_ms_per_km) AS results_pace,
       r.overall_place AS results_rank,
       r.gender_place AS results_gender_rank,
       r.division_place AS results_bracket_rank,
       p.division AS results_bracket_name,
       'Overall'::text AS results_primary_bracket_name,
       r.status AS results_status,
       r.chip_time_ms,
       r.gun_time_ms
  FROM results r
  LEFT JOIN entries p ON p.id = r.entry_id AND p.partner_id = r.partner_id;

CREATE OR REPLACE VIEW ct_splits WITH (security_invoker = true) AS
SELECT s.id AS split_id,
       s.result_id,
       r.entry_id,
       r.race_id,
       s.seq AS split_seq,
       s.label AS split_label,
       s.distance_m AS split_distance_m,
       p88_ms_interval(s.time_ms) AS split_time,
       s.time_ms AS split_time_ms
  FROM splits s
  LEFT JOIN results r ON r.id = s.result_id AND r.partner_id = s.partner_id;
