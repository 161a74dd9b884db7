/** The partner's display links, live first, newest first; edit and revoke for those who manage them. */
import type { DisplayLink } from '../api';
import { ConfirmButton } from '../components/Controls';
import { Empty, PollStates } from '../components/States';
import { linkStatus } from '../displaySettings';
import type { Poll } from '../usePoll';
import { LinkCard, type LinkNames } from './LinkCard';

const ORDER = { live: 0, expired: 1, revoked: 2 } as const;

/** Live links first, then expired, then revoked; the newest first within each. */
export function sortedLinks(links: readonly DisplayLink[], now: number): DisplayLink[] {
  return [...links].sort(
    (a, b) => ORDER[linkStatus(a, now)] - ORDER[linkStatus(b, now)] || b.created_at.localeCompare(a.created_at),
  );
}

export function LinkList({
  poll,
  list,
  now,
  names,
  highlightedId,
  canManage,
  editing,
  pending,
  onNew,
  onEdit,
  onRevoke,
}: {
  poll: Poll<unknown>;
  list: DisplayLink[];
  now: number;
  names: LinkNames;
  highlightedId: string | undefined;
  canManage: boolean;
  /** The form is open: no second "New display link". */
  editing: boolean;
  pending: boolean;
  onNew: () => void;
  onEdit: (link: DisplayLink) => void;
  onRevoke: (link: DisplayLink) => void;
}) {
  return (
    <section className="panel" aria-labelledby="displays-title">
      <div className="panel-header">
        <h2 id="displays-title">Display links</h2>
        {canManage && !editing ? (
          <button type="button" className="button button-primary" onClick={onNew}>
            New display link
          </button>
        ) : null}
      </div>
      <PollStates poll={poll} loading="Loading display links…" />
      {poll.data && list.length === 0 ? (
        <Empty title="No display links yet">
          {canManage
            ? 'Create one, then open its address on a screen at the venue.'
            : 'Staff, admins and owners of your company can create one.'}
        </Empty>
      ) : null}
      {list.length > 0 ? (
        <ul className="display-list" data-testid="display-links">
          {list.map((link) => (
            <LinkCard
              key={link.id}
              link={link}
              now={now}
              names={names}
              highlighted={highlightedId === link.id}
              actions={
                canManage && linkStatus(link, now) !== 'revoked' ? (
                  <>
                    <button type="button" className="button button-small" onClick={() => onEdit(link)} disabled={pending}>
                      Edit
                    </button>
                    <ConfirmButton label="Revoke" confirmLabel="Revoke now" disabled={pending} onConfirm={() => onRevoke(link)} />
                  </>
                ) : null
              }
            />
          ))}
        </ul>
      ) : null}
      {poll.data && !canManage ? (
        <p className="muted small">Only staff, admins and owners can create, change or revoke display links.</p>
      ) : null}
    </section>
  );
}
