/**
 * The asset library: images for display templates. An upload is trusted for nothing but its
 * bytes: the format comes from its magic bytes (never the Content-Type or the file name), it
 * must decode, it is auto-rotated, shrunk to fit a 1920×1080 screen and re-encoded, which
 * drops its metadata (EXIF, GPS, comments) and anything hidden after the image data.
 */
import { createHash, randomBytes } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import type { Usage } from '../accounts/usage.service.js';
import type { Database } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import {
  deleteAsset,
  findAsset,
  findPublicAsset,
  insertAsset,
  listAssets,
  lockPartnerAssets,
  storedBytes,
  templatesUsingAsset,
  type AssetRow,
} from './assets.repo.js';

/** Largest upload body (the app's global limit is 1 MiB; the upload route raises it). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** Refused before decoding: a small file can declare a huge canvas (a decompression bomb). */
export const MAX_INPUT_PIXELS = 50_000_000;
/** Stored images fit inside this box (the size of a display screen); smaller ones are kept as they are. */
export const MAX_WIDTH = 1920;
export const MAX_HEIGHT = 1080;

const MIB = 1024 * 1024;
const KEY_PATTERN = /^[0-9a-f]{32}$/;
const ACCEPTED = 'Send a PNG, JPEG, WebP or GIF image.';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

/** The image format by its magic bytes; null when it is none of the accepted ones. */
export function sniffImageFormat(b: Buffer): ImageFormat | null {
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) return 'gif';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

function looksLikeSvg(b: Buffer): boolean {
  return /<svg[\s>]/i.test(b.toString('utf8', 0, Math.min(b.length, 4096)));
}

export interface PreparedImage {
  data: Buffer;
  contentType: 'image/png' | 'image/jpeg' | 'image/webp';
  width: number;
  height: number;
}

/** Checks, auto-rotates, resizes and re-encodes an uploaded image; 400 with the reason when it is refused. */
export async function prepareImage(input: Buffer): Promise<PreparedImage> {
  const format = sniffImageFormat(input);
  if (!format) {
    throw new AppError(
      'bad_request',
      looksLikeSvg(input) ? 'SVG images are not accepted (they can carry scripts); export the image as PNG.' : `This file is not a supported image. ${ACCEPTED}`,
    );
  }
  // Only the first frame of an animated GIF or WebP is read.
  const options = { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', pages: 1 } as const;
  let meta: Metadata;
  try {
    // Reads the header only, so no pixel limit here: the check below says why it refuses.
    meta = await sharp(input, { ...options, limitInputPixels: false }).metadata();
  } catch {
    throw new AppError('bad_request', `The image could not be read (damaged or incomplete). ${ACCEPTED}`);
  }
  // The decoder must agree with the magic bytes (a PNG signature on other data is not a PNG).
  if (meta.format !== format || !meta.width || !meta.height) {
    throw new AppError('bad_request', `The image could not be read (damaged or incomplete). ${ACCEPTED}`);
  }
  if (meta.width * meta.height > MAX_INPUT_PIXELS) {
    throw new AppError('bad_request', `The image is ${meta.width}×${meta.height} pixels; at most ${MAX_INPUT_PIXELS / 1_000_000} megapixels are accepted.`);
  }
  const pipeline = sharp(input, options).autoOrient().resize(MAX_WIDTH, MAX_HEIGHT, { fit: 'inside', withoutEnlargement: true });
  // PNG stays PNG (logos keep their alpha); a GIF's first frame becomes a PNG.
  const out =
    format === 'jpeg'
      ? { encoder: pipeline.jpeg({ quality: 85 }), contentType: 'image/jpeg' as const }
      : format === 'webp'
        ? { encoder: pipeline.webp({ quality: 85 }), contentType: 'image/webp' as const }
        : { encoder: pipeline.png(), contentType: 'image/png' as const };
  try {
    const { data, info } = await limitImageWork(() => out.encoder.toBuffer({ resolveWithObject: true }));
    return { data, contentType: out.contentType, width: info.width, height: info.height };
  } catch {
    throw new AppError('bad_request', `The image could not be decoded (damaged or incomplete). ${ACCEPTED}`);
  }
}

/**
 * Decoding a large image takes a core and up to a few hundred MB for a moment: a few uploads
 * at a time, the others wait, so a burst of uploads cannot starve the timing work.
 */
const IMAGE_JOBS = 2;
let running = 0;
const waiting: Array<() => void> = [];
async function limitImageWork<T>(job: () => Promise<T>): Promise<T> {
  if (running < IMAGE_JOBS) running++;
  // A finishing job hands its slot straight to the next waiter.
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await job();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** A display name from the optional x-file-name header: no path, no control characters, bounded. */
export function assetName(header: string | undefined): string {
  if (!header) return 'image';
  let name = header;
  try {
    name = decodeURIComponent(header);
  } catch {
    // Not percent-encoded: keep it as sent.
  }
  name = name.split(/[\\/]/).pop() ?? '';
  name = name.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return name || 'image';
}

/** The public address of an image, as templates refer to it. */
export function assetUrl(key: string): string {
  return `/assets/${key}`;
}

export function isAssetKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export class Assets {
  constructor(
    private readonly db: Database,
    private readonly usage: Usage,
  ) {}

  list(partnerId: number): Promise<AssetRow[]> {
    return withPartner(this.db, partnerId, listAssets);
  }

  /** Stores an uploaded image once it passed every check; 402 past the plan's storage. */
  async upload(partnerId: number, body: Buffer, fileName: string | undefined): Promise<AssetRow> {
    // Decoding happens before the transaction: it is slow and holds no database state.
    const image = await prepareImage(body);
    return withPartner(this.db, partnerId, async (tx) => {
      await lockPartnerAssets(tx, partnerId);
      // storage_mb in MiB; dividing by a power of two keeps the sums exact.
      await this.usage.checkCountIn(tx, partnerId, 'storage_mb', (await storedBytes(tx)) / MIB, image.data.length / MIB);
      return insertAsset(tx, {
        partnerId,
        key: randomBytes(16).toString('hex'),
        name: assetName(fileName),
        contentType: image.contentType,
        width: image.width,
        height: image.height,
        data: image.data,
        sha256: createHash('sha256').update(image.data).digest('hex'),
      });
    });
  }

  /** Deletes an image, unless a template still shows it (a screen would show a hole). */
  async remove(partnerId: number, key: string): Promise<void> {
    if (!isAssetKey(key)) throw new AppError('not_found', 'Image not found.');
    await withPartner(this.db, partnerId, async (tx) => {
      const users = await templatesUsingAsset(tx, assetUrl(key));
      if (users.length > 0) {
        // Only the partner's own templates are visible here (row-level security), and only
        // once the image is theirs: another partner's key gets the same 404 as an unknown one.
        if (!(await findAsset(tx, key))) throw new AppError('not_found', 'Image not found.');
        const names = users.map((n) => `“${n}”`).join(', ');
        throw new AppError('conflict', `Template${users.length > 1 ? 's' : ''} ${names} still show${users.length > 1 ? '' : 's'} this image: remove it there first.`);
      }
      if (!(await deleteAsset(tx, key))) throw new AppError('not_found', 'Image not found.');
    });
  }

  /** The bytes behind a public /assets/<key> URL; null for a malformed or unknown key alike. */
  async publicAsset(key: string): Promise<{ content_type: string; data: Buffer } | null> {
    return isAssetKey(key) ? findPublicAsset(this.db, key) : null;
  }
}
