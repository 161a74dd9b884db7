-- Sign-in throttling by account AND client address (issue 12, finding 4): wrong passwords
-- from one address slow that address down for that account, with growing delays, and never
-- lock the account for anyone else. users.failed_logins stays a plain counter for display;
-- users.locked_until is no longer set. `p88 user unlock <email>` deletes an account's rows.
CREATE TABLE login_throttle (
  user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  -- The account's partner (NULL for a platform admin, whose rows are the platform's).
  partner_id integer REFERENCES partners(id) ON DELETE CASCADE,
  ip text NOT NULL CHECK (length(ip) <= 64),
  failures integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  last_failure_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, ip),
  FOREIGN KEY (user_id, partner_id) REFERENCES users (id, partner_id) ON DELETE CASCADE
);
CREATE INDEX login_throttle_partner ON login_throttle (partner_id);
CREATE INDEX login_throttle_stale ON login_throttle (last_failure_at);

SELECT p88_isolate_tenant('login_throttle');

GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO p88_app;
