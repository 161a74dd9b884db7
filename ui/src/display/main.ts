/**
 * The display screen at /d/<link id>: no sign-in, full screen, runners as they cross.
 *
 * Reads arrive over Server-Sent Events. The browser's EventSource reconnects by itself after
 * a network blip and sends Last-Event-ID, so the server replays what the screen missed; when
 * the server answers with an error (a restart, a revoked link) EventSource gives up, and this
 * page reconnects itself with backoff, passing the last id in the query. A `reload` event
 * (the link was changed) reloads the link's design and settings without losing the place.
 */
import './display.css';
import { FinisherBoard } from './board';
import { DEFAULT_IDLE, DEFAULT_RUNNER } from './default-design';
import { fieldValues, type Runner } from './fields';
import { ScreenQueue } from './queue';
import { Stage } from './stage';
import type { Answer, Body } from '../api-routes';

/** A link as its screens load it: settings (defaults filled in) and the sanitized designs. */
type LinkConfig = Answer<'/api/display/{id}', 'get', 200>;
type Settings = LinkConfig['settings'];
/** What a screen reports to the operator console. */
type ScreenReport = Body<'/api/display/{id}/screens/{screen}', 'post'>;

const IDLE_ROTATE_MS = 5_000;
/** The console forgets a screen silent for 10 s (src/display/screens.ts SCREEN_TTL_MS): report well within it. */
const REPORT_EVERY_MS = 3_000;

const linkId = location.pathname.split('/').pop() ?? '';
const stage = new Stage(document.getElementById('stage')!, 'fade');
const notice = document.getElementById('notice')!;
const screenId = screenIdentity();

let settings: Settings | null = null;
let queue: ScreenQueue<Runner> | null = null;
/** Every finisher, for the design's list blocks (last N, leaderboard), when it has any. */
const board = new FinisherBoard();
let boardTimer: number | undefined;
/**
 * The id (timing_reads.id) of the last read this screen took. Kept in sessionStorage too, so a
 * reloaded screen (a kiosk's watchdog, a refresh) resumes after it instead of starting blind.
 */
const LAST_READ_KEY = `p88:last-read:${linkId}`;
let lastEventId: string | null = storedLastRead();
/**
 * Reads already taken, by id and by crossing (bib, location, read time): a replay after a
 * reconnect overlaps what came live (the server replays a little before the last id, for reads
 * committed out of id order), and a read the timing software sent twice is one crossing.
 */
const taken = new Set<string>();
const takenOrder: string[] = [];
const TAKEN_KEEP = 20_000;

function storedLastRead(): string | null {
  try {
    const v = sessionStorage.getItem(LAST_READ_KEY);
    return v && /^\d{1,18}$/.test(v) ? v : null;
  } catch {
    return null;
  }
}

function noteLastRead(id: string): void {
  if (!id || (lastEventId !== null && Number(id) <= Number(lastEventId))) return;
  lastEventId = id;
  try {
    sessionStorage.setItem(LAST_READ_KEY, id);
  } catch {
    // storage refused (private mode): the in-memory id still serves reconnects
  }
}

/** True the first time a read (by id and by crossing) is offered. */
function takeOnce(id: string, runner: Runner | null): boolean {
  const keys = [`#${id}`, ...(runner ? [`${runner.bib}\u0000${runner.location}\u0000${runner.readTimeMs}`] : [])];
  if (keys.some((k) => taken.has(k))) {
    for (const k of keys) if (!taken.has(k)) remember(k);
    return false;
  }
  for (const k of keys) remember(k);
  return true;
}

function remember(key: string): void {
  taken.add(key);
  takenOrder.push(key);
  if (takenOrder.length > TAKEN_KEEP) taken.delete(takenOrder.shift()!);
}
let source: EventSource | null = null;
let retryMs = 1_000;
let changeTimer: number | undefined;
let idleIndex = 0;
let rotatingIndex = 0;
let reportTimer: number | undefined;
let ended = false;

/**
 * This page's id for the operator console. New on every load: a duplicated tab must not pass
 * for the same screen (a reloaded one reappears under a new id; the old one expires).
 */
function screenIdentity(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => (b % 36).toString(36)).join('');
}

function showNotice(text: string | null): void {
  notice.hidden = text === null;
  notice.textContent = text ?? '';
}

async function loadConfig(): Promise<LinkConfig | null> {
  const res = await fetch(`/api/display/${encodeURIComponent(linkId)}`, { cache: 'no-store' });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return (await res.json()) as LinkConfig;
}

async function applyConfig(config: LinkConfig): Promise<void> {
  settings = config.settings;
  const options = { minDisplayMs: settings.minDisplayMs, maxQueue: settings.maxQueue, dropPolicy: settings.dropPolicy };
  if (queue) queue.setOptions(options);
  else queue = new ScreenQueue<Runner>(options);
  await stage.load(config.template?.runner ?? DEFAULT_RUNNER, config.template?.idle ?? DEFAULT_IDLE, settings.animation, config.template?.format);
  render();
}

/** Draws what the queue says: its runner, or the idle design with the current idle message. */
function render(): void {
  if (!queue || !settings) return;
  const runner = queue.onScreen;
  if (stage.isBoard) {
    // A board: the lists show every finisher; fields outside them are the queue's spotlight.
    const rotating = settings.rotatingMessages.length > 0 ? settings.rotatingMessages[rotatingIndex % settings.rotatingMessages.length]! : '';
    stage.showBoard(board, runner ? fieldValues(runner, rotating) : {}, (r, rank) => ({ ...fieldValues(r, ''), rank: String(rank) }));
    document.body.dataset.state = 'board';
    document.body.dataset.bib = runner?.bib ?? '';
    if (stage.hasSpotlight) scheduleChange();
    scheduleReport();
    return;
  }
  if (runner) {
    const rotating = settings.rotatingMessages.length > 0 ? settings.rotatingMessages[rotatingIndex % settings.rotatingMessages.length]! : '';
    stage.showRunner(fieldValues(runner, rotating));
  } else {
    const messages = settings.idleMessages;
    stage.showIdle({ idle_message: messages.length > 0 ? messages[idleIndex % messages.length]! : '' });
  }
  document.body.dataset.state = runner ? 'runner' : 'idle';
  document.body.dataset.bib = runner?.bib ?? '';
  scheduleChange();
  scheduleReport();
}

function scheduleChange(): void {
  window.clearTimeout(changeTimer);
  const at = queue?.nextChangeAt();
  if (at === null || at === undefined) {
    changeTimer = window.setTimeout(() => {
      idleIndex++;
      render();
    }, IDLE_ROTATE_MS);
    return;
  }
  changeTimer = window.setTimeout(() => {
    if (queue?.tick(Date.now())) {
      if (queue.onScreen) rotatingIndex++;
      render();
    } else scheduleChange();
  }, Math.max(0, at - Date.now()));
}

/** Redraws a board at most every 100 ms however fast finishers come (rows are rebuilt each time). */
function scheduleBoard(): void {
  if (boardTimer !== undefined) return;
  boardTimer = window.setTimeout(() => {
    boardTimer = undefined;
    render();
  }, 100);
}

function arrive(runner: Runner, immediately = false, test = false): void {
  if (!queue) return;
  if (stage.isBoard) {
    if (!test) board.add(runner);
    if (!stage.hasSpotlight) {
      // Nothing waits on a pure board: every finisher is in its lists at once.
      scheduleBoard();
      return;
    }
  }
  const wasIdle = queue.onScreen === null;
  if (immediately) queue.showNow(runner, Date.now());
  else queue.push(runner, Date.now());
  if (wasIdle || immediately) {
    if (settings?.sound) beep();
    render();
  } else if (stage.isBoard) scheduleBoard();
  else scheduleReport();
}

let audio: AudioContext | null = null;
function beep(): void {
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    osc.frequency.value = 880;
    osc.connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.12);
  } catch {
    // Browsers refuse sound before a user gesture on the page; the screen goes on silently.
  }
}

function connect(): void {
  source?.close();
  // The screen's id ties its reports to this open stream (the console lists only those).
  const query = new URLSearchParams({ screen: screenId, ...(lastEventId ? { last_event_id: lastEventId } : {}) });
  const es = new EventSource(`/api/display/${encodeURIComponent(linkId)}/stream?${query.toString()}`);
  source = es;
  // "open" once the server has subscribed this screen (it answers only then): from that moment
  // no read is missed. For whoever watches the screen's DOM (tests, kiosk monitoring).
  document.body.dataset.stream = 'connecting';
  es.onopen = () => {
    retryMs = 1_000;
    document.body.dataset.stream = 'open';
    showNotice(null);
  };
  es.addEventListener('read', (e) => {
    const msg = e as MessageEvent<string>;
    const data = JSON.parse(msg.data) as { runner: Runner | null };
    const fresh = takeOnce(msg.lastEventId, data.runner);
    noteLastRead(msg.lastEventId);
    if (!fresh || !data.runner) return;
    // For whoever watches the screen (tests, kiosk monitoring): every read it takes, once.
    window.dispatchEvent(new CustomEvent('p88:read', { detail: { id: Number(msg.lastEventId), bib: data.runner.bib } }));
    arrive(data.runner);
  });
  es.addEventListener('gun', (e) => {
    noteLastRead((e as MessageEvent<string>).lastEventId);
  });
  es.addEventListener('show', (e) => {
    const data = JSON.parse((e as MessageEvent<string>).data) as { runner: Runner; test?: boolean };
    arrive(data.runner, true, data.test === true);
  });
  es.addEventListener('clear', () => {
    queue?.clear();
    board.clear();
    render();
  });
  es.addEventListener('reload', () => void restart());
  es.addEventListener('ended', () => void restart());
  es.onerror = () => {
    // CONNECTING: the browser retries by itself (with Last-Event-ID). CLOSED: it gave up.
    document.body.dataset.stream = 'connecting';
    if (es.readyState === EventSource.CLOSED) void restart();
    else showNotice('Reconnecting…');
  };
}

/** Reloads the link (design, settings) and reconnects, backing off while the server is away. */
async function restart(): Promise<void> {
  source?.close();
  source = null;
  try {
    const config = await loadConfig();
    if (!config) {
      // Revoked or expired: for good. Stop reporting and reconnecting; show the idle design.
      ended = true;
      document.body.dataset.stream = 'ended';
      queue?.clear();
      render();
      // Said in full, over the whole screen: a TV left on must not look like a quiet race.
      notice.classList.add('p88-ended');
      showNotice('This display link has ended. The operator revoked it or it expired; ask them for a new link.');
      return;
    }
    await applyConfig(config);
    connect();
  } catch {
    showNotice('Reconnecting…');
    window.setTimeout(() => void restart(), retryMs);
    retryMs = Math.min(retryMs * 2, 30_000);
  }
}

/** Tells the server (the operator console) what this screen shows and what waits. */
function scheduleReport(): void {
  if (reportTimer !== undefined) return;
  reportTimer = window.setTimeout(() => {
    reportTimer = undefined;
    void report();
  }, 500);
}

async function report(): Promise<void> {
  if (!queue || ended) return;
  const summary = (r: Runner) => ({ bib: r.bib.slice(0, 32), name: r.name.slice(0, 200) });
  const on = queue.onScreen;
  const body: ScreenReport = {
    on_screen: on ? summary(on) : null,
    queue: queue.queue.slice(0, 20).map(summary),
    queue_length: queue.queue.length,
    dropped: queue.dropped,
    shown: queue.shown,
  };
  try {
    await fetch(`/api/display/${encodeURIComponent(linkId)}/screens/${screenId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    // The console is a convenience; the screen never waits for it.
  }
}

window.setInterval(() => void report(), REPORT_EVERY_MS);
// Closing (a tab closed, the kiosk navigating away): off the console at once, not in 10 s.
window.addEventListener('pagehide', () => {
  navigator.sendBeacon(`/api/display/${encodeURIComponent(linkId)}/screens/${screenId}/close`);
});
// Full screen on the first click or key (browsers allow it only after a gesture).
for (const type of ['click', 'keydown'] as const) {
  document.addEventListener(type, () => void document.documentElement.requestFullscreen?.().catch(() => undefined));
}
void restart();
