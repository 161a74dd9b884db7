/** Builds CTP01 lines (CRLF-terminated). */
import type { GreetingOptions, TagObservation } from './messages.js';

export const CRLF = '\r\n';

/** The server greeting: `<program>~<version>~<N>` and N `option=value` lines. */
export function serverGreeting(program: string, version: string, options: GreetingOptions): string {
  const lines = Object.entries(options)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  return [`${program}~${version}~${lines.length}`, ...lines].map((l) => l + CRLF).join('');
}

export function clientGreeting(program: string, version: string): string {
  return `${program}~${version}~CTP01${CRLF}`;
}

/** A command line such as `start~finish~42` or `getconnectionid`. */
export function command(name: string, ...args: Array<string | number>): string {
  return [name, ...args].join('~') + CRLF;
}

export function ack(commandName: string, ...args: Array<string | number>): string {
  return command('ack', commandName, ...args);
}

export function err(commandName: string, message: string): string {
  // The message must stay one field on one line.
  return command('err', commandName, message.replace(/[~\r\n]/g, ' '));
}

/** A tag observation line in CT01_33 (or CT01_13) layout. */
export function tagLine(o: Omit<TagObservation, 'time'>): string {
  const sep = o.format === 'CT01_13' ? ',' : '~';
  return (
    [o.format, o.sequence, o.location, o.tag, o.timeText, o.lap, o.readerId, o.gator].join(sep) + CRLF
  );
}
