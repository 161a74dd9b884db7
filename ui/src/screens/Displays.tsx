/** The partner's display links: each screen's address, what it binds; create, edit, revoke. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, displayApi, rosterApi, type AuthSession, type DisplayLink } from '../api';
import { PageHeader } from '../components/Controls';
import { FormError } from '../components/Form';
import { LinkForm } from '../display-links/LinkForm';
import { LinkList, sortedLinks } from '../display-links/LinkList';
import { presetFromAddress, type LinkPreset } from '../display-links/preset';
import { allowed } from '../permissions';
import { useAction } from '../useAction';
import { usePoll } from '../usePoll';

const LINKS_EVERY_MS = 10_000;
const SESSIONS_EVERY_MS = 10_000;
/** Templates and rosters change rarely while this screen is open. */
const LISTS_EVERY_MS = 30_000;

type Editing = { mode: 'new'; preset?: LinkPreset } | { mode: 'edit'; link: DisplayLink };

export function Displays({
  session,
  onExpired,
  onRefused,
}: {
  session: AuthSession;
  onExpired: () => void;
  onRefused?: (message: string) => void;
}) {
  const links = usePoll(useCallback((signal: AbortSignal) => displayApi.links(signal), []), LINKS_EVERY_MS, onExpired);
  const sessions = usePoll(useCallback((signal: AbortSignal) => api.sessions(signal), []), SESSIONS_EVERY_MS, onExpired);
  const templates = usePoll(useCallback((signal: AbortSignal) => api.templates(signal), []), LISTS_EVERY_MS, onExpired);
  const rosters = usePoll(useCallback((signal: AbortSignal) => rosterApi.events(signal), []), LISTS_EVERY_MS, onExpired);
  const canManage = allowed(session, 'displays:manage');
  const [editing, setEditing] = useState<Editing | null>(() => {
    const preset = canManage ? presetFromAddress() : null;
    return preset ? { mode: 'new', preset } : null;
  });
  const [saved, setSaved] = useState<{ id: string; created: boolean } | null>(null);
  const change = useAction(onExpired, onRefused);
  const formPanel = useRef<HTMLElement>(null);

  useEffect(() => {
    if (editing) formPanel.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [editing]);

  const revoke = async (link: DisplayLink) => {
    const done = await change.run(async () => {
      await displayApi.revokeLink(link.id);
      return true;
    });
    if (!done) return;
    if (editing?.mode === 'edit' && editing.link.id === link.id) setEditing(null);
    if (saved?.id === link.id) setSaved(null);
    links.retry();
  };
  const edit = (next: Editing) => {
    setSaved(null);
    setEditing(next);
  };

  const names = {
    templates: new Map((templates.data?.templates ?? []).map((t) => [t.id, t])),
    sessions: new Map((sessions.data?.sessions ?? []).map((s) => [s.id, s])),
    rosters: new Map((rosters.data?.events ?? []).map((r) => [r.id, r])),
  };
  const now = Date.now();
  const list = sortedLinks(links.data?.links ?? [], now);
  const savedLink = saved ? list.find((l) => l.id === saved.id) : undefined;

  return (
    <main className="page">
      <PageHeader title="Displays">
        Each display link is an address you open on a screen at the venue (a TV, a projector, a tablet): it shows runners
        as they cross, with the template, session and locations you choose. Open one link on as many screens as you like.
      </PageHeader>

      <FormError message={change.error} testId="display-error" />
      {saved && savedLink ? (
        <p className="notice" role="status" data-testid="display-saved">
          {saved.created ? `“${savedLink.name || 'Untitled display'}” is ready: copy its address below.` : `Saved “${savedLink.name || 'Untitled display'}”: its open screens reload with the change.`}
        </p>
      ) : null}

      {canManage && editing ? (
        <section className="panel" ref={formPanel} aria-labelledby="display-form-title">
          <h2 id="display-form-title">
            {editing.mode === 'new' ? 'New display link' : `Edit “${editing.link.name || 'Untitled display'}”`}
          </h2>
          <LinkForm
            key={editing.mode === 'new' ? 'new' : editing.link.id}
            link={editing.mode === 'edit' ? editing.link : null}
            preset={editing.mode === 'new' ? (editing.preset ?? {}) : {}}
            sessions={sessions}
            templates={templates.data?.templates ?? []}
            rosters={rosters.data?.events ?? []}
            canSeePlan={allowed(session, 'users:read')}
            onExpired={onExpired}
            onRefused={onRefused}
            onCancel={() => setEditing(null)}
            onSaved={(id) => {
              setSaved({ id, created: editing.mode === 'new' });
              setEditing(null);
              links.retry();
            }}
          />
        </section>
      ) : null}

      <LinkList
        poll={links}
        list={list}
        now={now}
        names={names}
        highlightedId={saved?.id}
        canManage={canManage}
        editing={editing !== null}
        pending={change.pending}
        onNew={() => edit({ mode: 'new' })}
        onEdit={(link) => edit({ mode: 'edit', link })}
        onRevoke={(link) => void revoke(link)}
      />
    </main>
  );
}
