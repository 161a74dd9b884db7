import { useCallback, useState, type FormEvent } from 'react';
import { api, type AuthSession, type Invitation, type User } from '../api';
import { ConfirmButton, CopyField, PageHeader } from '../components/Controls';
import { Empty, PollStates } from '../components/States';
import { formatAgo, formatDateTime } from '../format';
import { allowed, grantableRoles, outranksOrEquals, roleLabel, type PartnerRole } from '../permissions';
import { useAction } from '../useAction';
import { usePoll } from '../usePoll';
import { Field, FormError } from '../components/Form';

const EVERY_MS = 30_000;

/** The partner's users (roles, disabled) and, for owners and admins, invitations. */
export function Users({
  session,
  onExpired,
  onRefused,
}: {
  session: AuthSession;
  onExpired: () => void;
  onRefused?: (message: string) => void;
}) {
  const canManage = allowed(session, 'users:manage');
  return (
    <main className="page">
      <PageHeader title="Users">
        Who can sign in to {session.partner?.name ?? 'your company'} and what they may do. Owners manage billing;
        admins manage users and timing sources; staff run races; viewers only watch.
      </PageHeader>
      {canManage ? <Invitations session={session} onExpired={onExpired} onRefused={onRefused} /> : null}
      <UserList session={session} onExpired={onExpired} onRefused={onRefused} canManage={canManage} />
    </main>
  );
}

function UserList({
  session,
  onExpired,
  onRefused,
  canManage,
}: {
  session: AuthSession;
  onExpired: () => void;
  onRefused: ((message: string) => void) | undefined;
  canManage: boolean;
}) {
  const poll = usePoll(useCallback((signal: AbortSignal) => api.users(signal), []), EVERY_MS, onExpired);
  const { data, retry } = poll;
  const change = useAction(onExpired, onRefused);
  const roles = grantableRoles(session);

  const update = async (user: User, body: Parameters<typeof api.updateUser>[1]) => {
    const updated = await change.run(() => api.updateUser(user.id, body));
    if (updated) retry();
  };

  return (
    <section className="panel" aria-labelledby="users-title">
      <div className="panel-header">
        <h2 id="users-title">People</h2>
        {data ? <span className="muted">{data.users.length}</span> : null}
      </div>
      <FormError message={change.error} testId="users-error" />
      <PollStates poll={poll} loading="Loading users…" />
      {data && data.users.length === 0 ? <Empty title="No users yet" /> : null}
      {data && data.users.length > 0 ? (
        <div className="table-scroll">
          <table className="table" data-testid="users">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col" className="hide-narrow">Last sign-in</th>
                {canManage ? <th scope="col" aria-label="Actions" /> : null}
              </tr>
            </thead>
            <tbody>
              {data.users.map((u) => {
                const self = String(u.id) === String(session.user.id);
                const editable = canManage && !self && outranksOrEquals(session, u.role);
                return (
                  <tr key={u.id} data-user={u.email} className={u.disabled ? 'row-muted' : undefined}>
                    <td>
                      <div className="strong">
                        {u.name || u.email}
                        {self ? <span className="muted"> (you)</span> : null}
                      </div>
                      {u.name ? <div className="muted small">{u.email}</div> : null}
                    </td>
                    <td>
                      {editable ? (
                        <select
                          aria-label={`Role of ${u.email}`}
                          value={u.role}
                          disabled={change.pending}
                          onChange={(e) => void update(u, { role: roles.find((r) => r === e.target.value) })}
                        >
                          {roles.map((r) => (
                            <option key={r} value={r}>
                              {roleLabel(r)}
                            </option>
                          ))}
                        </select>
                      ) : (
                        roleLabel(u.role)
                      )}
                    </td>
                    <td>
                      {u.disabled ? <span className="badge badge-bad">Disabled</span> : <span className="badge badge-active">Active</span>}
                    </td>
                    <td className="hide-narrow" title={formatDateTime(u.last_login_at)}>
                      {formatAgo(u.last_login_at)}
                    </td>
                    {canManage ? (
                      <td className="actions">
                        {editable ? (
                          u.disabled ? (
                            <button
                              type="button"
                              className="button button-small"
                              disabled={change.pending}
                              onClick={() => void update(u, { disabled: false })}
                            >
                              Enable
                            </button>
                          ) : (
                            <ConfirmButton
                              label="Disable"
                              confirmLabel="Disable and sign out"
                              disabled={change.pending}
                              onConfirm={() => void update(u, { disabled: true })}
                            />
                          )
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function invitationStatus(inv: Invitation, now: number): { label: string; tone: string; open: boolean } {
  if (inv.accepted_at) return { label: 'Accepted', tone: 'badge-active', open: false };
  if (inv.revoked_at) return { label: 'Revoked', tone: '', open: false };
  if (new Date(inv.expires_at).getTime() <= now) return { label: 'Expired', tone: '', open: false };
  return { label: 'Pending', tone: 'badge-gun', open: true };
}

function Invitations({
  session,
  onExpired,
  onRefused,
}: {
  session: AuthSession;
  onExpired: () => void;
  onRefused: ((message: string) => void) | undefined;
}) {
  const poll = usePoll(useCallback((signal: AbortSignal) => api.invitations(signal), []), EVERY_MS, onExpired);
  const { data, retry } = poll;
  const roles = grantableRoles(session);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<PartnerRole>('staff');
  const [sent, setSent] = useState<{ email: string; url: string | null } | null>(null);
  const invite = useAction(onExpired, onRefused);
  const revoke = useAction(onExpired, onRefused);

  const onInvite = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const to = email.trim();
    // The last invitation's notice must not stand beside this one's error.
    setSent(null);
    const created = await invite.run(() => api.invite(to, role));
    if (!created) return;
    setSent({ email: created.invitation.email, url: created.accept_url });
    setEmail('');
    retry();
  };
  const onRevoke = async (inv: Invitation) => {
    const done = await revoke.run(async () => {
      await api.revokeInvitation(inv.id);
      return true;
    });
    if (done) retry();
  };

  const now = Date.now();
  return (
    <section className="panel" aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      <form className="inline-form" onSubmit={onInvite} aria-label="Invite someone">
        <Field label="Email" grow>
          <input type="email" name="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Role">
          <select name="role" value={role} onChange={(e) => setRole(roles.find((r) => r === e.target.value) ?? role)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {roleLabel(r)}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="button button-primary" disabled={invite.pending || email.trim() === ''}>
          {invite.pending ? 'Inviting…' : 'Send invitation'}
        </button>
      </form>
      <FormError message={invite.error} testId="invite-error" />
      {sent ? (
        <div className="notice notice-block" role="status" data-testid="invitation-sent">
          {sent.url === null ? (
            <p>
              We have emailed an invitation to <strong>{sent.email}</strong>. The link goes to that mailbox only; if it
              does not arrive, revoke this invitation and invite them again.
            </p>
          ) : (
            <>
              <p>
                This server sends no mail (no SMTP configured), so send <strong>{sent.email}</strong> this link yourself
                (it works once, until it expires):
              </p>
              <CopyField label="Invitation link" value={sent.url} testId="invitation-link" />
            </>
          )}
          <button type="button" className="button button-small" onClick={() => setSent(null)}>
            Done
          </button>
        </div>
      ) : null}

      <h3 className="subhead">Invitations</h3>
      <FormError message={revoke.error} />
      <PollStates poll={poll} loading="Loading invitations…" />
      {data && data.invitations.length === 0 ? <Empty title="No invitations yet" /> : null}
      {data && data.invitations.length > 0 ? (
        <div className="table-scroll">
          <table className="table" data-testid="invitations">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col" className="hide-narrow">Sent</th>
                <th scope="col" aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {data.invitations.map((inv) => {
                const status = invitationStatus(inv, now);
                return (
                  <tr key={inv.id} data-invitation={inv.email} className={status.open ? undefined : 'row-muted'}>
                    <td className="strong">{inv.email}</td>
                    <td>{roleLabel(inv.role)}</td>
                    <td>
                      <span className={`badge ${status.tone}`} title={status.open ? `Expires ${formatDateTime(inv.expires_at)}` : undefined}>
                        {status.label}
                      </span>
                    </td>
                    <td className="hide-narrow" title={formatDateTime(inv.created_at)}>
                      {formatAgo(inv.created_at, now)}
                    </td>
                    <td className="actions">
                      {status.open ? (
                        <ConfirmButton
                          label="Revoke"
                          confirmLabel="Revoke invitation"
                          disabled={revoke.pending}
                          onConfirm={() => void onRevoke(inv)}
                        />
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
