import { useCallback } from 'react';
import { api } from '../api';
import { LiveReads } from '../components/LiveReads';
import { MatsPanel } from '../components/MatsPanel';
import { SessionsPanel } from '../components/SessionsPanel';
import { StatusBar } from '../components/StatusBar';
import { usePoll } from '../usePoll';

const SESSIONS_EVERY_MS = 10_000;

export function Dashboard({ onExpired, canShowOnDisplay = false }: { onExpired: () => void; canShowOnDisplay?: boolean }) {
  const sessions = usePoll(useCallback((signal: AbortSignal) => api.sessions(signal), []), SESSIONS_EVERY_MS, onExpired);
  const active = sessions.data?.sessions.find((s) => s.status === 'active') ?? null;
  return (
    <main className="dashboard">
      <StatusBar onExpired={onExpired} />
      <div className="dashboard-grid">
        <LiveReads
          activeSession={active}
          sessionsLoaded={sessions.data !== undefined}
          onExpired={onExpired}
          onNewSession={sessions.retry}
        />
        <div className="side-column">
          <MatsPanel activeSession={active} onExpired={onExpired} />
          <SessionsPanel poll={sessions} canShowOnDisplay={canShowOnDisplay} />
        </div>
      </div>
    </main>
  );
}
