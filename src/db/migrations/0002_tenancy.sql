-- Tenant isolation enforced by PostgreSQL (see src/db/tenant.ts).
--
-- The application runs as p88_app: it owns nothing and cannot bypass row-level security.
-- Every tenant table has RLS enabled and FORCED (so even its owner is filtered), with one
-- policy: a row is visible and writable when its partner is the transaction's partner
-- (app.partner_id) or the transaction runs as the platform (app.platform = on).

DO $$
BEGIN
  CREATE ROLE p88_app NOLOGIN NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- roles are cluster-wide: another database on this server created it already
END
$$;

-- Lets an owner that is not a superuser switch its connections to p88_app.
GRANT p88_app TO CURRENT_USER;

GRANT USAGE ON SCHEMA public TO p88_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO p88_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO p88_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO p88_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO p88_app;
REVOKE ALL ON schema_migrations FROM p88_app;

CREATE FUNCTION p88_visible(row_partner integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT row_partner = nullif(current_setting('app.partner_id', true), '')::integer
      OR coalesce(current_setting('app.platform', true), '') = 'on'
$$;

-- Every tenant table gets the same three statements; one function so no table forgets one.
-- Later migrations call it for their tables: SELECT p88_isolate_tenant('new_table');
CREATE FUNCTION p88_isolate_tenant(tbl regclass, partner_column text DEFAULT 'partner_id') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (p88_visible(%I)) WITH CHECK (p88_visible(%I))',
                 tbl, partner_column, partner_column);
END
$$;

SELECT p88_isolate_tenant('partners', 'id');
SELECT p88_isolate_tenant('timing_sources');
SELECT p88_isolate_tenant('timing_sessions');
SELECT p88_isolate_tenant('timing_locations');
SELECT p88_isolate_tenant('timing_streams');
SELECT p88_isolate_tenant('timing_reads');
SELECT p88_isolate_tenant('timing_reads_archive');
-- connection_log rows exist before the client is identified (partner_id NULL): those are the
-- platform's; identified ones are also the partner's.
SELECT p88_isolate_tenant('connection_log');

-- The collector learns a connection's partner from its CTP01 user id, before any partner
-- context exists: this function answers exactly that question and nothing else.
-- FORCE applies row-level security to this function's owner too (unless a superuser), so
-- the function looks across partners by switching the platform flag on for its own query
-- only, and puts the caller's value back.
CREATE FUNCTION p88_timing_source_for_user(p_user_id text)
RETURNS TABLE (id integer, partner_id integer, secret_encrypted text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  caller_platform text := current_setting('app.platform', true);
BEGIN
  PERFORM set_config('app.platform', 'on', true);
  RETURN QUERY
    SELECT s.id, s.partner_id, s.secret_encrypted
      FROM timing_sources s
     WHERE s.user_id = p_user_id AND s.revoked_at IS NULL;
  PERFORM set_config('app.platform', coalesce(caller_platform, ''), true);
END
$$;
REVOKE ALL ON FUNCTION p88_timing_source_for_user(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION p88_timing_source_for_user(text) TO p88_app;
