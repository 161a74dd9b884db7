/**
 * `p88 demo`: a demo partner with everything a race screen needs, so a newcomer sees runners
 * on a screen within a minute: an owner to sign in with, a timing source for `p88 simulate`,
 * an event roster whose bibs are the simulator's tags, a finish-line template, and a display
 * link bound to both. Running it again updates the same demo in place and prints fresh
 * credentials (the old password and source secret stop working).
 */
import { linksFor } from '../accounts/accounts.common.js';
import { Accounts } from '../accounts/accounts.service.js';
import { logMailer } from '../accounts/mailer.js';
import { generatePassword } from '../accounts/passwords.js';
import { SecretBox, loadSecretKey } from '../accounts/secret-box.js';
import { TimingSources } from '../accounts/timing-sources.service.js';
import { Usage } from '../accounts/usage.service.js';
import { createMemoryBus } from '../bus/memory.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { DisplayLinks } from '../display/display-links.service.js';
import type { ParticipantInput } from '../rosters/roster.schemas.js';
import { Rosters } from '../rosters/roster.service.js';
import { ScreenPresence } from '../display/screens.js';
import { Templates } from '../templates/templates.service.js';
import type { Logger } from '../log.js';
import { openRuntime } from '../runtime.js';
import type { Output } from './context.js';

export const DEMO_SLUG = 'demo';
export const DEMO_EMAIL = 'demo@localhost';
const EVENT_NAME = 'Demo City Marathon';
const TEMPLATE_NAME = 'Demo finish line';
const LINK_NAME = 'Demo finish screen';
const SOURCE_NAME = 'Demo timing laptop';

export interface DemoInfo {
  partner: string;
  signIn: { url: string; email: string; password: string };
  displayUrl: string;
  linkId: string;
  collector: { host: string; port: number; userId: string; secret: string };
  roster: { eventId: number; participants: number; bibs: string[] };
  simulate: string;
}

const FIRST = ['Ada', 'Alan', 'Grace', 'Katherine', 'Linus', 'Margaret', 'Tim', 'Barbara', 'Edsger', 'Frances', 'Donald', 'Radia', 'Ken', 'Hedy', 'Dennis', 'Shafi'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Johnson', 'Torvalds', 'Hamilton', 'Berners-Lee', 'Liskov', 'Dijkstra', 'Allen', 'Knuth', 'Perlman', 'Thompson', 'Lamarr', 'Ritchie', 'Goldwasser'];
const PLACES: Array<[string, string, string]> = [
  ['Boulder', 'CO', 'USA'], ['Portland', 'OR', 'USA'], ['Austin', 'TX', 'USA'], ['Boston', 'MA', 'USA'],
  ['Toronto', 'ON', 'CAN'], ['Denver', 'CO', 'USA'], ['Madison', 'WI', 'USA'], ['Flagstaff', 'AZ', 'USA'],
];
const MESSAGES = ['You did it, Mom!', 'First marathon!', 'Running for Grandpa', '', 'Sub-4 or bust', '', 'Go go go!', ''];

/** The demo roster: bibs firstBib… (the simulator's tag is the bib). */
export function demoParticipants(count: number, firstBib: number): ParticipantInput[] {
  return Array.from({ length: count }, (_, i) => {
    const place = PLACES[i % PLACES.length]!;
    const age = 18 + ((i * 7) % 50);
    const gender = i % 2 === 0 ? 'F' : 'M';
    return {
      bib: String(firstBib + i),
      first_name: FIRST[i % FIRST.length]!,
      last_name: LAST[(i * 5) % LAST.length]!,
      age,
      gender,
      city: place[0],
      state: place[1],
      country: place[2],
      division: `${gender}${Math.floor(age / 5) * 5}-${Math.floor(age / 5) * 5 + 4}`,
      race: 'Marathon',
      wave: `Wave ${1 + (i % 3)}`,
      custom_message: MESSAGES[i % MESSAGES.length] || null,
    };
  });
}

const DEMO_RUNNER = {
  html: `<div class="bar"></div>
<div class="bib">BIB <span data-p88-field="bib">1000</span></div>
<div class="name" data-p88-field="name" data-p88-fit>Runner Name</div>
<div class="from" data-p88-field="city_state" data-p88-fit>City, ST</div>
<div class="message" data-p88-field="message" data-p88-fit>Message</div>
<div class="time"><span data-p88-field="elapsed">0:00:00</span></div>
<div class="cheer" data-p88-field="server_message" data-p88-fit>Great job!</div>`,
  css: `body { background: linear-gradient(135deg, #0b1d3a, #1c3f7a); color: #fff; font-family: Arial, Helvetica, sans-serif; }
.bar { position: absolute; left: 0; top: 0; width: 1920px; height: 24px; background: #ffcc00; }
.bib { position: absolute; left: 120px; top: 110px; font-size: 80px; font-weight: 700; color: #ffcc00; }
.name { position: absolute; left: 120px; top: 240px; width: 1680px; height: 220px; font-size: 190px; font-weight: 800; white-space: nowrap; overflow: hidden; }
.from { position: absolute; left: 120px; top: 480px; width: 1680px; height: 100px; font-size: 80px; color: #c9d6ea; white-space: nowrap; overflow: hidden; }
.message { position: absolute; left: 120px; top: 620px; width: 1680px; height: 90px; font-size: 70px; font-style: italic; color: #9fe3b8; white-space: nowrap; overflow: hidden; }
.time { position: absolute; right: 120px; top: 110px; font-size: 80px; font-weight: 700; }
.cheer { position: absolute; left: 120px; top: 800px; width: 1680px; height: 120px; font-size: 100px; font-weight: 700; color: #ffcc00; white-space: nowrap; overflow: hidden; }
[data-p88-empty] { display: none; }`,
};
const DEMO_IDLE = {
  html: `<div class="bar"></div><div class="title">Demo City Marathon</div><div class="msg" data-p88-field="idle_message" data-p88-fit>Welcome</div>`,
  css: `body { background: #0b1d3a; color: #fff; font-family: Arial, Helvetica, sans-serif; }
.bar { position: absolute; left: 0; top: 0; width: 1920px; height: 24px; background: #ffcc00; }
.title { position: absolute; left: 0; top: 300px; width: 1920px; text-align: center; font-size: 140px; font-weight: 800; }
.msg { position: absolute; left: 160px; top: 560px; width: 1600px; height: 140px; text-align: center; font-size: 100px; color: #c9d6ea; white-space: nowrap; overflow: hidden; }`,
};

export interface DemoOptions {
  runners: number;
  firstBib: number;
}

/** Creates or refreshes the demo partner and everything it shows. */
export async function seedDemo(deps: { db: Database; config: Config; log: Logger }, opts: DemoOptions): Promise<DemoInfo> {
  const { db, config, log } = deps;
  const base = config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
  const accounts = new Accounts({ db, log, mailer: logMailer(log), links: linksFor(base) });
  const usage = new Usage(db);
  const partner = (await accounts.partners.findBySlug(DEMO_SLUG)) ?? (await accounts.partners.create({ slug: DEMO_SLUG, name: 'Demo Timing' }));
  // The demo must not run into the free plan's limits.
  await usage.setPlan(partner.id, 'enterprise');

  const password = generatePassword();
  if (!(await accounts.users.setPasswordByEmail(partner.id, DEMO_EMAIL, password))) {
    await accounts.users.create({ email: DEMO_EMAIL, name: 'Demo owner', role: 'owner', partnerId: partner.id, password });
  }

  const sources = new TimingSources(db, new SecretBox(await loadSecretKey(config.secretKey, config.dataDir)));
  const source = await sources.findByName(partner.id, SOURCE_NAME);
  let collectorUser: string;
  let secret: string;
  if (source) {
    collectorUser = source.userId;
    secret = (await sources.rotate(partner.id, source.id))!;
  } else {
    const created = await sources.create(partner.id, SOURCE_NAME);
    collectorUser = created.userId;
    secret = created.secret;
  }

  const rosters = new Rosters(db);
  const events = await rosters.listEvents(partner.id);
  const event = events.find((e) => e.name === EVENT_NAME) ?? (await rosters.createEvent(partner.id, { name: EVENT_NAME }));
  const participants = demoParticipants(opts.runners, opts.firstBib);
  await rosters.upsertParticipants(partner.id, event.id, participants, { removeMissing: true });

  const templates = new Templates(db, usage);
  const template = (await templates.list(partner.id)).find((t) => t.name === TEMPLATE_NAME);
  const templateId = template
    ? (await templates.save(partner.id, null, template.id, { runner: DEMO_RUNNER, idle: DEMO_IDLE })).template.id
    : (await templates.create(partner.id, null, TEMPLATE_NAME, { runner: DEMO_RUNNER, idle: DEMO_IDLE })).template.id;

  const links = new DisplayLinks(db, usage, createMemoryBus(), new ScreenPresence());
  const binding = {
    name: LINK_NAME,
    sessionId: null,
    locations: ['finish'],
    settings: {
      minDisplayMs: 3_000,
      idleMessages: ['Welcome to the Demo City Marathon', 'Live finish-line results', 'Cheer them home!'],
      serverMessages: ['Great job!', 'What a finish!', 'Strong finish!', 'You are a marathoner!'],
    },
    templateId,
    templateVersion: null,
    rosterEventId: event.id,
    expiresAt: null,
  };
  const live = (await links.list(partner.id)).find((l) => l.name === LINK_NAME && !l.revoked_at && (!l.expires_at || l.expires_at > new Date()));
  const linkId = live ? (await links.update(partner.id, live.id, binding)).id : (await links.create(partner.id, binding)).id;

  const host = config.COLLECTOR_HOST === '0.0.0.0' ? '127.0.0.1' : config.COLLECTOR_HOST;
  const simulate =
    `npm run p88 -- simulate --host ${host} --port ${config.COLLECTOR_PORT} --user ${collectorUser} --password ${secret} ` +
    `--runners ${opts.runners} --first-bib ${opts.firstBib} --locations start,5k,finish --course-km 5 --speed 60`;
  return {
    partner: DEMO_SLUG,
    signIn: { url: `${base}/sign-in`, email: DEMO_EMAIL, password },
    displayUrl: `${base}/d/${linkId}`,
    linkId,
    collector: { host, port: config.COLLECTOR_PORT, userId: collectorUser, secret },
    roster: { eventId: event.id, participants: participants.length, bibs: participants.slice(0, 5).map((p) => p.bib) },
    simulate,
  };
}

/** What to tell the newcomer; `serverRunning` when the server seeded it as it started. */
export function formatDemo(d: DemoInfo, serverRunning = false): string {
  return `Project88Hub demo ready (partner "${d.partner}").

  Display screen   ${d.displayUrl}
                   (finish line; open it in a browser, full screen with a click)
  Dashboard        ${d.signIn.url}
                   email ${d.signIn.email}   password ${d.signIn.password}
  Collector        ${d.collector.host}:${d.collector.port}  (CTP01)
                   user id ${d.collector.userId}   secret ${d.collector.secret}
  Roster           ${d.roster.participants} runners, bibs ${d.roster.bibs.join(', ')}, …

${serverRunning ? 'Open the display' : 'Start the server (npm start), open the display'}, then send a race from another terminal
(the first finishers cross about 20 seconds later):
  ${d.simulate}

Running that command again sends nothing new: the collector resumes its connection ids
(SIM-1…) after what it holds. For another race, give it new ones: add --id-prefix race2.

The password and secret are shown only now; running p88 demo again replaces them.
`;
}

export interface DemoCommandOptions {
  runners: number;
  firstBib: number;
  json?: boolean;
  verbose?: boolean;
}

export async function demoCommand(opts: DemoCommandOptions, io: Output): Promise<number> {
  const runtime = await openRuntime({ command: opts });
  try {
    const info = await seedDemo(runtime, { runners: opts.runners, firstBib: opts.firstBib });
    io.out(opts.json ? `${JSON.stringify(info, null, 2)}\n` : formatDemo(info));
    return 0;
  } finally {
    await runtime.close();
  }
}
