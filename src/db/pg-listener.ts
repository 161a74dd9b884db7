/**
 * LISTEN for a node-postgres pool: one dedicated connection carries every channel this
 * process listens on. Taking a pooled connection per channel (as before) let two display
 * topics hold a small pool's every connection, and the web process's own queries then timed
 * out while screens were watching. If the connection is lost, it is opened again and every
 * channel re-listened; notifications sent while it was down are gone, so each listener is
 * told (onRestored) and can catch up its own way (display screens reconnect and replay from
 * the database by read id).
 */
import pg from 'pg';

type Handler = (payload: string) => void;

export class PgListener {
  private readonly channels = new Map<string, Set<Handler>>();
  /** Who wants to hear that a channel's connection was lost and is back (notifications missed). */
  private readonly restored = new Map<Handler, () => void>();
  private client: Promise<pg.Client> | null = null;
  private retryMs = 250;
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly onLost: (err: Error) => void = () => {},
  ) {}

  async listen(channel: string, onPayload: Handler, onRestored?: () => void): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('listener closed');
    if (onRestored) this.restored.set(onPayload, onRestored);
    let handlers = this.channels.get(channel);
    const first = !handlers;
    if (!handlers) {
      handlers = new Set();
      this.channels.set(channel, handlers);
    }
    handlers.add(onPayload);
    try {
      const client = await this.connection();
      if (first) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      this.remove(channel, onPayload);
      throw err;
    }
    return async () => {
      if (!this.remove(channel, onPayload) || !this.client) return;
      const client = await this.client.catch(() => null);
      await client?.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => {});
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    this.channels.clear();
    this.restored.clear();
    await (await client?.catch(() => null))?.end().catch(() => {});
  }

  /** Removes a handler; true when it was the channel's last one. */
  private remove(channel: string, onPayload: Handler): boolean {
    this.restored.delete(onPayload);
    const handlers = this.channels.get(channel);
    if (!handlers?.delete(onPayload) || handlers.size > 0) return false;
    this.channels.delete(channel);
    return true;
  }

  private connection(): Promise<pg.Client> {
    this.client ??= this.open();
    return this.client;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client(this.config);
    client.on('notification', (msg) => {
      for (const h of this.channels.get(msg.channel) ?? []) h(msg.payload ?? '');
    });
    let lost = false;
    const onLost = (err: Error) => {
      if (lost) return;
      lost = true;
      client.removeAllListeners('notification');
      void client.end().catch(() => {});
      if (this.closed) return;
      this.client = null;
      this.onLost(err);
      if (this.channels.size > 0) setTimeout(() => void this.relisten(), this.retryMs).unref();
    };
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('connection ended')));
    try {
      await client.connect();
    } catch (err) {
      this.client = null;
      client.removeAllListeners();
      throw err;
    }
    return client;
  }

  /** After a lost connection: a new one, listening on every channel that still has handlers. */
  private async relisten(): Promise<void> {
    if (this.closed || this.client) return;
    try {
      const client = await this.connection();
      for (const channel of this.channels.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      this.retryMs = 250;
      for (const handlers of this.channels.values()) for (const h of handlers) this.restored.get(h)?.();
    } catch (err) {
      this.retryMs = Math.min(this.retryMs * 2, 5_000);
      this.onLost(err as Error);
      if (this.client === null) setTimeout(() => void this.relisten(), this.retryMs).unref();
    }
  }
}
