/** Reads a Server-Sent Events body and hands each event's fields to a callback (comments skipped). */
export function readSse(body: ReadableStream<Uint8Array>, onEvent: (fields: Record<string, string>, receivedAt: number) => void): void {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const now = performance.now();
        buf += decoder.decode(value, { stream: true });
        let end;
        while ((end = buf.indexOf('\n\n')) !== -1) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const lines = block.split('\n').filter((l) => !l.startsWith(':') && l.includes(':'));
          const fields = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
          if (fields.data !== undefined) onEvent(fields, now);
        }
      }
    } catch {
      // the stream was aborted or closed
    }
  })();
}
