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

ALTER TABLE partners ENABLE ROW LEVEL SECURITY;
ALTER TABLE partners FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON partners USING (p88_visible(id)) WITH CHECK (p88_visible(id));

ALTER TABLE timing_sources ENABLE ROW LEVEL SECURITY;
ALTER TABLE timing_sources FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON timing_sources USING (p88_visible(partner_id)) WITH CHECK (p88_visible(partner_id));

ALTER TABLE timing_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE timing_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON timing_sessions USING (p88_visible(partner_id)) WITH CHECK (p88_visible(partner_id));

ALTER TABLE timing_locations ENABLE ROW LEVEL SECURITY;
ALTER TABLE timing_locations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON timing_locations USING (p88_visible(partner_id)) WITH CHECK (p88_visible(partner_id));

ALTER TABLE timing_streams ENABLE ROW LEVEL SECURITY;
ALTER TABLE timing_streams FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON timing_streams USING (p88_visible(partner_id)) WITH CHECK (p88_visible(partner_id));

ALTER TABLE timing_reads ENABLE ROW LEVEL SECURITY;
ALTER TABLE timing_reads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON timing_reads USING (p88_visible(partner_id)) WITH CHECK (p88_visible(partner_id));

ALTER TABLE timing_reads_archive ENABLE ROW LEVEL SECURITY;
ALTER TABLE timing_reads_archive FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON timing_reads_archive USING (p88_visible(partner_id)) WITH CHECK (p88_visible(partner_id));

-- connection_log rows exist before the client is identified (partner_id NULL): those are the
-- platform's; identified ones are also the partner's.
ALTER TABLE connection_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE connection_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON connection_log USING (p88_visible(partner_id)) WITH CHECK (p88_visible(partner_id));

-- The collector learns a connection's partner from its CTP01 user id, before any partner
-- context exists: this function answers exactly that question and nothing else.
CREATE FUNCTION p88_timing_source_for_user(p_user_id text)
RETURNS TABLE (id integer, partner_id integer, secret_encrypted text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT s.id, s.partner_id, s.secret_encrypted
    FROM timing_sources s
   WHERE s.user_id = p_user_id AND s.revoked_at IS NULL
$$;
REVOKE ALL ON FUNCTION p88_timing_source_for_user(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION p88_timing_source_for_user(text) TO p88_app;
