/**
 * What CTP01 authorization needs, kept on disk so timing sources that authenticated before are
 * still recognised while the database is away, even after a restart during the outage.
 *
 * The file (DATA_DIR/collector-auth.sealed, mode 0600) is one SecretBox-sealed document (AES-256-GCM
 * under the same key as the secrets in the database): the shared secrets never touch the disk
 * in the clear. Every lookup the database answers refreshes it; a source the database no longer
 * knows (revoked, deleted) is dropped from it.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SecretBox } from '../accounts/secret-box.js';
import type { SourceIdentity } from '../accounts/timing-sources.service.js';
import type { Logger } from '../log.js';

const FILE = 'collector-auth.sealed';

export class AuthCache {
  private known = new Map<string, SourceIdentity>();
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly box: SecretBox,
    private readonly log: Logger,
  ) {}

  /** Opens the cache in dataDir; an absent, foreign or damaged file gives an empty cache. */
  static async open(dataDir: string, box: SecretBox, log: Logger): Promise<AuthCache> {
    const cache = new AuthCache(path.join(dataDir, FILE), box, log);
    try {
      const doc = JSON.parse(box.open((await readFile(cache.file, 'utf8')).trim())) as Record<string, SourceIdentity>;
      for (const [user, id] of Object.entries(doc)) cache.known.set(user, id);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err: String(err) }, 'sealed auth cache unreadable; starting empty');
    }
    return cache;
  }

  get size(): number {
    return this.known.size;
  }

  /**
   * Looks a source up in the database, keeping the answer; when the database cannot answer,
   * answers from the cache (throws only when the source is not in it either).
   */
  async lookup(userId: string, fromDatabase: (userId: string) => Promise<SourceIdentity | null>): Promise<SourceIdentity | null> {
    let found: SourceIdentity | null;
    try {
      found = await fromDatabase(userId);
    } catch (err) {
      const cached = this.known.get(userId);
      if (cached) return cached;
      throw err;
    }
    const before = this.known.get(userId);
    if (found) {
      if (!before || before.secret !== found.secret || before.partnerId !== found.partnerId || before.sourceId !== found.sourceId) {
        this.known.set(userId, found);
        this.save();
      }
    } else if (before) {
      this.known.delete(userId);
      this.save();
    }
    return found;
  }

  /** Resolves when the last change is on disk (tests, shutdown). */
  flushed(): Promise<void> {
    return this.writing;
  }

  private save(): void {
    this.writing = this.writing.then(async () => {
      const tmp = `${this.file}.tmp`;
      try {
        await writeFile(tmp, this.box.seal(JSON.stringify(Object.fromEntries(this.known))) + '\n', { mode: 0o600 });
        await rename(tmp, this.file);
      } catch (err) {
        this.log.warn({ err: String(err) }, 'could not write the sealed auth cache');
      }
    });
  }
}
