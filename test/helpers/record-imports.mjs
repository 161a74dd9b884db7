// `node --import ./test/helpers/record-imports.mjs …` appends the URL of every module the
// process loads to $P88_IMPORTS_FILE: a test checks what `p88 --help` does not load.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function load(url, context, nextLoad) {
  appendFileSync(file, url + '\\n');
  return nextLoad(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { file: process.env.P88_IMPORTS_FILE } });
