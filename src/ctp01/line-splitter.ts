/**
 * Splits a CTP01 byte stream into lines. Accepts CRLF and bare LF, drops empty lines, and
 * bounds memory: a line longer than maxLineBytes is discarded up to its terminator and
 * reported once, so one hostile client cannot grow a buffer without limit.
 */
export const DEFAULT_MAX_LINE_BYTES = 1024;

export interface LineSink {
  line(text: string): void;
  /** A line exceeded the limit; `bytes` is how many bytes of it were seen before giving up. */
  overlong(bytes: number): void;
}

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** True while skipping the rest of an overlong line. */
  private discarding = false;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) {
        this.keep(chunk, start, chunk.length);
        return;
      }
      if (this.discarding) {
        this.discarding = false;
      } else if (this.pendingBytes + (nl - start) > this.maxLineBytes + 1) {
        // +1: the CR of a CRLF terminator is part of the line until trimmed. Checked before
        // concatenating so a huge line is never copied; emit() applies the exact limit.
        this.sink.overlong(this.pendingBytes + (nl - start));
        this.reset();
      } else {
        this.emit(chunk, start, nl);
      }
      start = nl + 1;
    }
  }

  /** Bytes held for an unfinished line (for tests and metrics). */
  get buffered(): number {
    return this.pendingBytes;
  }

  private keep(chunk: Buffer, from: number, to: number): void {
    if (this.discarding || from === to) return;
    if (this.pendingBytes + (to - from) > this.maxLineBytes + 1) {
      this.sink.overlong(this.pendingBytes + (to - from));
      this.reset();
      this.discarding = true;
      return;
    }
    // Copy: the caller may reuse its read buffer (net's `onread`), and a short tail must
    // not pin a whole 64 KiB chunk in memory.
    this.pending.push(Buffer.from(chunk.subarray(from, to)));
    this.pendingBytes += to - from;
  }

  private emit(chunk: Buffer, from: number, nl: number): void {
    let buf: Buffer;
    if (this.pendingBytes === 0) {
      buf = chunk.subarray(from, nl);
    } else {
      this.pending.push(chunk.subarray(from, nl));
      buf = Buffer.concat(this.pending);
      this.reset();
    }
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 0x0d) end--;
    if (end === 0) return;
    // The same limit whether the line ended in CRLF or a bare LF.
    if (end > this.maxLineBytes) {
      this.sink.overlong(buf.length);
      return;
    }
    this.sink.line(buf.toString('utf8', 0, end));
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }
}
