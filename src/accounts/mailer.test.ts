import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logMailer, smtpMailer } from './mailer.js';

/** A minimal SMTP server on loopback that records each message's envelope and data. */
function fakeSmtp(): Promise<{ server: Server; port: number; messages: Array<{ from: string; to: string[]; data: string }> }> {
  const messages: Array<{ from: string; to: string[]; data: string }> = [];
  const server = createServer((socket) => {
    let buffer = '';
    let inData = false;
    let current = { from: '', to: [] as string[], data: '' };
    socket.write('220 fake ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(current);
            current = { from: '', to: [], data: '' };
            socket.write('250 queued\r\n');
          } else current.data += line + '\n';
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO') socket.write('250-fake\r\n250 8BITMIME\r\n');
        else if (cmd === 'MAIL') {
          current.from = line;
          socket.write('250 ok\r\n');
        } else if (cmd === 'RCPT') {
          current.to.push(line);
          socket.write('250 ok\r\n');
        } else if (cmd === 'DATA') {
          inData = true;
          socket.write('354 go\r\n');
        }
        else if (cmd === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, messages })),
  );
}

describe('mailers', () => {
  let smtp: Awaited<ReturnType<typeof fakeSmtp>>;
  beforeAll(async () => {
    smtp = await fakeSmtp();
  });
  afterAll(() => new Promise<void>((resolve) => smtp.server.close(() => resolve())));

  it('sends through SMTP with the configured From', async () => {
    const mailer = smtpMailer({ url: `smtp://127.0.0.1:${smtp.port}`, from: 'P88 <no-reply@p88.test>' });
    await mailer.send({ to: 'someone@acme.test', subject: 'Reset your password', text: 'Link: http://p88.test/reset-password#token=abc\n' });
    expect(smtp.messages).toHaveLength(1);
    const m = smtp.messages[0]!;
    expect(m.from).toContain('<no-reply@p88.test>');
    expect(m.to).toEqual([expect.stringContaining('<someone@acme.test>')]);
    expect(m.data).toMatch(/^Subject: Reset your password$/m);
    expect(m.data).toContain('reset-password#token=abc');
  });

  it('rejects when the server is unreachable', async () => {
    const closed = await fakeSmtp();
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    const mailer = smtpMailer({ url: `smtp://127.0.0.1:${closed.port}`, from: 'x@p88.test' });
    await expect(mailer.send({ to: 'a@b.c', subject: 's', text: 't' })).rejects.toThrow();
  });

  it('writes to the log without SMTP', async () => {
    const lines: unknown[] = [];
    await logMailer({ warn: (...a: unknown[]) => void lines.push(a) } as never).send({ to: 'a@b.c', subject: 's', text: 'the link' });
    expect(JSON.stringify(lines)).toContain('the link');
  });
});
