-- Display links: an unguessable 8-character id that opens a live display with no sign-in.
-- A link binds a session (or follows the partner's active session), a location filter and
-- display settings; it can expire and be revoked.
CREATE TABLE display_links (
  id text PRIMARY KEY CHECK (id ~ '^[0-9A-Za-z]{8}$'),
  partner_id integer NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
  name text NOT NULL DEFAULT '',
  -- NULL = follow whichever session is active for the partner.
  session_id integer REFERENCES timing_sessions(id) ON DELETE SET NULL,
  -- Empty = every location.
  locations text[] NOT NULL DEFAULT '{}',
  settings jsonb NOT NULL DEFAULT '{}',
  expires_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX display_links_partner ON display_links (partner_id, created_at DESC);

SELECT p88_isolate_tenant('display_links');

-- A display screen knows only the link id: this answers "which partner and what does this
-- live link show?" for a live (not revoked, not expired) link, and nothing else.
-- (Row-level security is forced on its owner too: the platform flag is switched on for this
-- query only, as in p88_timing_source_for_user.)
CREATE FUNCTION p88_display_link(p_id text)
RETURNS TABLE (id text, partner_id integer, session_id integer, locations text[], settings jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  caller_platform text := current_setting('app.platform', true);
BEGIN
  PERFORM set_config('app.platform', 'on', true);
  RETURN QUERY
    SELECT l.id, l.partner_id, l.session_id, l.locations, l.settings
      FROM display_links l
     WHERE l.id = p_id AND l.revoked_at IS NULL AND (l.expires_at IS NULL OR l.expires_at > now());
  PERFORM set_config('app.platform', coalesce(caller_platform, ''), true);
END
$$;
REVOKE ALL ON FUNCTION p88_display_link(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION p88_display_link(text) TO p88_app;
