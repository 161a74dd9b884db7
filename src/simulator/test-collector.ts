/**
 * A minimal CTP01 *server* for the simulator's own tests (like a provider's fake-server.ts):
 * either scripted line by line by a test, or `auto`, following the spec's resume recipe.
 * It is deliberately independent of src/collector so the simulator is tested against the
 * protocol, not against our implementation of it.
 */
import net from 'node:net';
import {
  ack,
  command,
  LineSplitter,
  parseClientLine,
  serverGreeting,
  verifyAuth,
  type AuthMethod,
  type GreetingOptions,
  type TimeFormat,
} from '../ctp01/index.js';

export interface TestCollectorOptions {
  /** Greeting options per accepted connection (index from 0); auto mode sends them. */
  greeting?: (index: number) => GreetingOptions;
  /** user → password, checked on authorize in auto mode. */
  users?: Record<string, string>;
  /** Speak the resume recipe without a script: getconnectionid, getlocations, start~loc~last+1. */
  auto?: boolean;
  /** Auto mode: where to resume a location whose last stored seq is `last` (default last + 1). */
  resumeFrom?: (last: number, location: string) => number;
}

/** One accepted client connection and every line it sent. */
export class TestConnection {
  readonly lines: string[] = [];
  /** Every line this server sent, CRLF stripped. */
  readonly sent: string[] = [];
  connectionId: string | null = null;
  timeFormat: TimeFormat | undefined;
  readonly closed: Promise<void>;
  private cursor = 0;
  private waiters: Array<() => void> = [];
  private isClosed = false;

  constructor(readonly index: number, readonly socket: net.Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.isClosed = true;
      this.wake();
      resolve();
    }));
  }

  send(text: string): void {
    if (this.socket.destroyed) return;
    this.sent.push(...text.split('\r\n').filter((l) => l !== ''));
    this.socket.write(text);
  }

  /** Next unread line matching `pred` (earlier non-matching lines are passed over); rejects on timeout or close. */
  async next(pred: (line: string) => boolean = () => true, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.lines.length) {
        const line = this.lines[this.cursor++]!;
        if (pred(line)) return line;
      }
      if (this.isClosed) throw new Error(`connection ${this.index} closed while waiting for a line`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a line on connection ${this.index}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Observation lines (CT01_33/CT01_13, newlocation announcements excluded) received so far. */
  tagLines(location?: string): string[] {
    return this.lines.filter((l) => {
      if (!/^CT01_[13]3[~,]/.test(l)) return false;
      const f = l.split(/[~,]/);
      return f[3] !== 'newlocation' && (location === undefined || f[2] === location);
    });
  }

  push(line: string): void {
    this.lines.push(line);
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

export class TestCollector {
  readonly connections: TestConnection[] = [];
  /** Auto mode: connection id → location → seq → times received. */
  readonly stored = new Map<string, Map<string, Map<number, number>>>();
  private server: net.Server;
  private accepted: Array<(c: TestConnection) => void> = [];
  private handed = 0;

  private constructor(private readonly options: TestCollectorOptions) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  static async start(options: TestCollectorOptions = {}): Promise<TestCollector> {
    const tc = new TestCollector(options);
    await new Promise<void>((resolve) => tc.server.listen(0, '127.0.0.1', resolve));
    return tc;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The next connection not yet handed to the test, waiting for it if needed. */
  nextConnection(timeoutMs = 5000): Promise<TestConnection> {
    const c = this.connections[this.handed];
    if (c) {
      this.handed++;
      return Promise.resolve(c);
    }
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for a connection')), timeoutMs);
      this.accepted.push((conn) => {
        clearTimeout(t);
        resolve(conn);
      });
    });
  }

  /** Sequences stored for one connection id and location, ascending. */
  sequences(connectionId: string, location: string): number[] {
    return [...(this.stored.get(connectionId)?.get(location)?.keys() ?? [])].sort((a, b) => a - b);
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const conn = new TestConnection(this.connections.length, socket);
    this.connections.push(conn);
    socket.on('error', () => undefined);
    const greeting = this.options.greeting?.(conn.index) ?? {};
    conn.timeFormat = greeting['time-format'];
    const splitter = new LineSplitter({
      line: (line) => {
        conn.push(line);
        if (this.options.auto) this.auto(conn, greeting, line);
      },
      overlong: () => undefined,
    });
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    const waiter = this.accepted.shift();
    if (waiter) {
      this.handed++;
      waiter(conn);
    }
  }

  private auto(conn: TestConnection, greeting: GreetingOptions, line: string): void {
    const msg = parseClientLine(line, greeting['time-format']);
    switch (msg.type) {
      case 'greeting':
        conn.send(serverGreeting('TestCollector', '1.0', greeting));
        if ((greeting.authentication ?? 'none') === 'none') conn.send(command('getconnectionid'));
        return;
      case 'authorize': {
        const method = greeting.authentication as Exclude<AuthMethod, 'none'>;
        const password = this.options.users?.[msg.userId];
        if (password === undefined || !verifyAuth(method, greeting['authentication-seed'] ?? '', password, msg.credential)) {
          conn.send(command('err', 'authorize', 'bad credentials'));
          conn.socket.end();
          return;
        }
        conn.send(ack('authorize') + command('getconnectionid'));
        return;
      }
      case 'ack':
        if (msg.command === 'getconnectionid') {
          conn.connectionId = msg.args[0] ?? '';
          conn.send(command('getlocations'));
        } else if (msg.command === 'getlocations') {
          const starts = msg.args.filter((l) => l !== '').map((l) => this.startLine(conn, l));
          conn.send(starts.join(''));
        }
        return;
      case 'newlocation':
        conn.send(this.startLine(conn, msg.location));
        return;
      case 'tag':
      case 'guntime': {
        const byLoc = this.storeFor(conn);
        let seqs = byLoc.get(msg.location);
        if (!seqs) byLoc.set(msg.location, (seqs = new Map()));
        seqs.set(msg.sequence, (seqs.get(msg.sequence) ?? 0) + 1);
        return;
      }
      case 'ping':
        conn.send(ack('ping'));
        return;
      default:
        return;
    }
  }

  private storeFor(conn: TestConnection): Map<string, Map<number, number>> {
    const id = conn.connectionId ?? `anonymous-${conn.index}`;
    let byLoc = this.stored.get(id);
    if (!byLoc) this.stored.set(id, (byLoc = new Map()));
    return byLoc;
  }

  private startLine(conn: TestConnection, location: string): string {
    const seqs = this.storeFor(conn).get(location);
    let last = 0;
    for (const seq of seqs?.keys() ?? []) if (seq > last) last = seq;
    const from = this.options.resumeFrom?.(last, location) ?? last + 1;
    return command('start', location, from);
  }
}
