/** A raw CTP01 client for protocol tests: send exact lines, await exact answers. */
import net from 'node:net';
import { authString } from '../../src/ctp01/auth.js';
import type { AuthMethod } from '../../src/ctp01/messages.js';
import { LineSplitter } from '../../src/ctp01/index.js';

export class RawClient {
  readonly lines: string[] = [];
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: net.Socket) {
    const splitter = new LineSplitter({ line: (l) => this.onLine(l), overlong: () => {} });
    socket.on('data', (c: Buffer) => splitter.push(c));
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /**
   * Connects as timing software would: greeting, the server's options, authorization with
   * the source's user id and secret, then the answers to getconnectionid/getlocations.
   * Resolves once the collector has accepted the connection.
   */
  static async signedIn(port: number, user: string, secret: string, opts: { connectionId?: string; locations?: string[] } = {}): Promise<RawClient> {
    const c = await RawClient.connect(port);
    c.send('TestClient~1.0~CTP01');
    const head = await c.waitFor(/^Project88Hub~[^~]+~\d+$/);
    const count = Number(head.split('~')[2]);
    const start = c.lines.indexOf(head) + 1;
    while (c.lines.length < start + count) await c.waitFor(() => true, 5000, c.lines.length);
    const options = Object.fromEntries(c.lines.slice(start, start + count).map((l) => l.split('=') as [string, string]));
    const method = (options.authentication ?? 'none') as AuthMethod;
    if (method !== 'none') {
      c.send(`authorize~${user}~${authString(method, options['authentication-seed'] ?? '', secret)}`);
      await c.waitFor(/^ack~authorize/);
    }
    await c.waitFor('getlocations');
    c.send(`ack~getconnectionid~${opts.connectionId ?? `T-${user}`}`, ['ack~getlocations', ...(opts.locations ?? ['finish'])].join('~'));
    return c;
  }

  send(...lines: string[]): void {
    this.socket.write(lines.map((l) => l + '\r\n').join(''));
  }

  sendRaw(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Resolves with the first received line (from `from` on) that matches. */
  async waitFor(match: string | RegExp | ((line: string) => boolean), timeoutMs = 5000, from = 0): Promise<string> {
    const test = (l: string) => (typeof match === 'string' ? l === match : typeof match === 'function' ? match(l) : match.test(l));
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.slice(from).find(test);
      if (found !== undefined) return found;
      if (this.closed) throw new Error(`connection closed before ${String(match)}; got ${JSON.stringify(this.lines)}`);
      if (Date.now() > until) throw new Error(`timed out waiting for ${String(match)}; got ${JSON.stringify(this.lines)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > until) throw new Error('connection still open');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private onLine(l: string): void {
    this.lines.push(l);
    this.notify();
  }

  private notify(): void {
    this.waiters.splice(0).forEach((w) => w());
  }
}
