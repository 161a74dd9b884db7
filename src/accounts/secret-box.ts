/**
 * Encrypts secrets that must stay recoverable (CTP01 shared secrets, provider credentials):
 * AES-256-GCM with a random IV, stored as "v1:<iv>:<tag>:<ciphertext>" in base64.
 * The key comes from SECRET_KEY, or on a machine without one from DATA_DIR/secret.key,
 * created once and kept (the seed regenerated its key at every start and lost every secret).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('secret key must be 32 bytes');
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  /** The secret; a WrongSecretKeyError when it was sealed under another key (or altered). */
  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('unrecognized sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      // GCM's "Unsupported state or unable to authenticate data": the key is not the one that
      // sealed it. Said as exactly that, so an operator does not read it as a passing fault.
      throw new WrongSecretKeyError();
    }
  }

  /** Whether this key opens the sealed secret. */
  opens(sealed: string): boolean {
    try {
      this.open(sealed);
      return true;
    } catch (err) {
      if (err instanceof WrongSecretKeyError) return false;
      throw err;
    }
  }
}

export class WrongSecretKeyError extends Error {
  constructor() {
    super(
      'this SECRET_KEY cannot open a stored secret: it was sealed under another key. Give every process ' +
        'that shares the database the same SECRET_KEY (or re-seal with `p88 secrets rotate`).',
    );
  }
}

/** The configured key, else the one kept in dataDir/secret.key (created on first use, mode 0600). */
export async function loadSecretKey(configured: Buffer | null, dataDir: string): Promise<Buffer> {
  if (configured) return configured;
  const file = path.join(dataDir, 'secret.key');
  try {
    const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
    if (key.length === 32) return key;
    throw new Error(`${file} does not hold a 32-byte hex key`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32);
  // 'wx' fails if another process created it first; then use theirs.
  try {
    await writeFile(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch {
    return loadSecretKey(null, dataDir);
  }
}
