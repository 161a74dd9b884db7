/** One display link in the list: its address (copyable while live), what it binds, its actions. */
import type { ReactNode } from 'react';
import type { DisplayLink, DisplayTemplate, RosterEvent, TimingSession } from '../api';
import { CopyField } from '../components/Controls';
import { Link } from '../components/Link';
import { sessionLabel } from '../components/SessionPicker';
import { displayUrl, linkStatus } from '../displaySettings';
import { formatDateTime } from '../format';
import { displayConsolePath } from '../router';

/** What a link's ids refer to, for showing names rather than numbers. */
export interface LinkNames {
  templates: Map<number, DisplayTemplate>;
  sessions: Map<number, TimingSession>;
  rosters: Map<number, RosterEvent>;
}

export function LinkCard({
  link,
  now,
  names,
  highlighted,
  actions,
}: {
  link: DisplayLink;
  now: number;
  names: LinkNames;
  highlighted: boolean;
  actions: ReactNode;
}) {
  const status = linkStatus(link, now);
  const url = displayUrl(link.id);
  const template = link.template_id === null ? null : names.templates.get(link.template_id);
  const session = link.session_id === null ? null : names.sessions.get(link.session_id);
  const roster = link.roster_event_id === null ? null : names.rosters.get(link.roster_event_id);
  const classes = ['display-card'];
  if (status !== 'live') classes.push('display-card-ended');
  if (highlighted) classes.push('display-card-new');
  return (
    <li className={classes.join(' ')} data-link={link.id} aria-label={link.name || 'Untitled display'}>
      <div className="display-card-head">
        <h3>{link.name || 'Untitled display'}</h3>
        {status === 'live' ? (
          <span className="badge badge-active">Live</span>
        ) : status === 'expired' ? (
          <span className="badge">Expired</span>
        ) : (
          <span className="badge badge-bad">Revoked</span>
        )}
      </div>
      {status === 'live' ? (
        <CopyField label="Display URL" value={url} testId="display-url" />
      ) : (
        <p className="mono small muted display-url-ended">{url}</p>
      )}
      <dl className="display-facts">
        <div>
          <dt>Template</dt>
          <dd>
            {link.template_id === null
              ? 'Default design'
              : `${template?.name ?? `Template #${link.template_id}`} · ${
                  link.template_version === null ? 'current version' : `version ${link.template_version}`
                }`}
          </dd>
        </div>
        <div>
          <dt>Session</dt>
          <dd>
            {link.session_id === null
              ? 'Follows the active session'
              : session
                ? sessionLabel(session)
                : `Session #${link.session_id}`}
          </dd>
        </div>
        <div>
          <dt>Locations</dt>
          <dd>{link.locations.length === 0 ? 'All locations' : link.locations.join(', ')}</dd>
        </div>
        <div>
          <dt>Roster</dt>
          <dd>
            {link.roster_event_id === null
              ? 'None (bibs only)'
              : (roster?.name ?? `Roster #${link.roster_event_id}`)}
          </dd>
        </div>
        <div>
          <dt>{status === 'expired' ? 'Expired' : 'Expires'}</dt>
          <dd>{link.expires_at ? formatDateTime(link.expires_at) : 'Never'}</dd>
        </div>
        <div>
          <dt>{status === 'revoked' ? 'Revoked' : 'Created'}</dt>
          <dd>{formatDateTime(status === 'revoked' ? link.revoked_at : link.created_at)}</dd>
        </div>
      </dl>
      {status === 'live' ? (
        <div className="display-actions">
          <a className="button button-small" href={url} target="_blank" rel="noopener noreferrer">
            Open
          </a>
          <Link to={displayConsolePath(link.id)} className="button button-small">
            Console
          </Link>
          {actions}
        </div>
      ) : status === 'expired' ? (
        <div className="display-actions">{actions}</div>
      ) : null}
    </li>
  );
}
