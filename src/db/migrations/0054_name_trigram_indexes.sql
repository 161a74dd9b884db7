-- Trigram indexes for `ilike`/`like` name searches over a whole partner (issue 13,
-- performance): `results_last_name=ilike.smi*` on ct_results was a scan of every entry
-- (8.4 s at scale 1, past the read API's 5 s timeout); with these it is a Bitmap Index Scan
-- (6 ms). Under row-level security PostgreSQL uses an operator in an index condition only
-- when its function is LEAKPROOF, and LIKE/ILIKE's are not marked so although their only
-- errors come from the pattern, never from the row's value: this marks them. Both steps need
-- a superuser (marking a function leakproof) and the pg_trgm extension; where either is
-- missing (embedded PGlite, a managed server's non-superuser owner) the migration does
-- nothing and name searches stay as before: equality and race-scoped searches use the btree
-- indexes. Marks on pg_catalog functions are not in a pg_dump: after restoring into a new
-- cluster, run the two ALTER FUNCTION statements below again as a superuser.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND rolsuper)
     OR NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    RAISE NOTICE 'name trigram indexes skipped: they need a superuser and the pg_trgm extension';
    RETURN;
  END IF;
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  ALTER FUNCTION pg_catalog.texticlike(text, text) LEAKPROOF;
  ALTER FUNCTION pg_catalog.textlike(text, text) LEAKPROOF;
  CREATE INDEX IF NOT EXISTS entries_last_name_trgm ON entries USING gin (last_name gin_trgm_ops);
  CREATE INDEX IF NOT EXISTS entries_first_name_trgm ON entries USING gin (first_name gin_trgm_ops);
END
$$;
