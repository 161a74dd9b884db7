-- The bearer-token lookup no longer writes (issue 13, performance): it ran an UPDATE of the
-- token's last_used_at inside every API call's lookup. The web process now records a token's
-- use itself, at most once a minute per token and process (src/accounts/api-tokens.service.ts,
-- TokenUseRecorder), as the application role under the partner's row-level security. The
-- lookup still reads revocation, expiry and the creator's state on every call.
DROP FUNCTION p88_auth_api_token(text);

CREATE FUNCTION p88_auth_api_token(p_token_hash text)
RETURNS TABLE (token_id integer, partner_id integer, scopes text[], created_by integer, creator_role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  caller_platform text := current_setting('app.platform', true);
BEGIN
  PERFORM set_config('app.platform', 'on', true);
  RETURN QUERY
    SELECT t.id, t.partner_id, t.scopes, t.created_by, u.role
      FROM api_tokens t
      LEFT JOIN users u ON u.id = t.created_by AND u.partner_id = t.partner_id
     WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
       AND (t.created_by IS NULL OR (u.id IS NOT NULL AND u.disabled_at IS NULL));
  PERFORM set_config('app.platform', coalesce(caller_platform, ''), true);
END
$$;

REVOKE ALL ON FUNCTION p88_auth_api_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION p88_auth_api_token(text) TO p88_app;
