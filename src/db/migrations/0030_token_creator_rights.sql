-- API tokens act only while their creator is active, and only within the creator's current
-- role (issue 12, finding 1): the lookup now returns the creator's role and refuses a token
-- whose creator is disabled or deleted. The web process intersects the token's scopes with
-- that role's actions on every call (src/accounts/api-tokens.service.ts).
-- A token without a creator is the operator's (`p88 token create` on the console, which holds
-- every right); a user's tokens now go with the user (CASCADE, was SET NULL), so a deleted
-- user's token can no longer pass for one.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_created_by_fkey;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_created_by_fkey FOREIGN KEY (created_by) REFERENCES users(id) ON DELETE CASCADE;

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
  UPDATE api_tokens t SET last_used_at = now()
   WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL
     AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute');
  PERFORM set_config('app.platform', coalesce(caller_platform, ''), true);
END
$$;

REVOKE ALL ON FUNCTION p88_auth_api_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION p88_auth_api_token(text) TO p88_app;
