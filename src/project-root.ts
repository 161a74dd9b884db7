import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository's root (where package.json is), whether this module runs from src/ through
 * tsx or from the compiled build/src/ (scripts/build-server.mjs): files the server reads at run
 * time (package.json, the migrations, ui/dist) are found from here, not by relative URLs that
 * would differ between the two.
 */
export const projectRoot: string = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
