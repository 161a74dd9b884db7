/** Types of scripts/build-server.mjs (a plain script: bin/p88.js imports it before tsx is loaded). */
export const defaultOutDir: string;
export function buildIsFresh(outDir?: string): boolean;
export function buildServer(outDir?: string): Promise<boolean>;
