-- Asset library: images a partner uploads for display templates. Stored already checked,
-- resized and re-encoded (see src/display/assets.service.ts); served publicly at
-- /assets/<key>, where the 32-hex-character random key is the only secret.
CREATE TABLE assets (
  id serial PRIMARY KEY,
  partner_id integer NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
  key text NOT NULL UNIQUE CHECK (key ~ '^[0-9a-f]{32}$'),
  name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
  content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
  width integer NOT NULL CHECK (width > 0),
  height integer NOT NULL CHECK (height > 0),
  -- Size of data; the plan's storage limit sums this column.
  bytes integer NOT NULL CHECK (bytes > 0),
  data bytea NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assets_partner ON assets (partner_id, created_at DESC);
-- Encoded images do not compress: store them out of line without trying.
ALTER TABLE assets ALTER COLUMN data SET STORAGE EXTERNAL;

SELECT p88_isolate_tenant('assets');

-- A screen loads /assets/<key> with no sign-in: this answers "which bytes has this key?" and
-- nothing else (not the partner, not the name). The platform flag is switched on for this
-- query only, as in p88_display_link.
CREATE FUNCTION p88_asset(p_key text)
RETURNS TABLE (content_type text, data bytea)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  caller_platform text := current_setting('app.platform', true);
BEGIN
  PERFORM set_config('app.platform', 'on', true);
  RETURN QUERY
    SELECT a.content_type, a.data FROM assets a WHERE a.key = p_key;
  PERFORM set_config('app.platform', coalesce(caller_platform, ''), true);
END
$$;
REVOKE ALL ON FUNCTION p88_asset(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION p88_asset(text) TO p88_app;
