/**
 * A fake OpenAI-compatible chat endpoint on loopback (port 0) for the questions engine's
 * language-model fallback: POST /v1/chat/completions answers what `reply` returns for the
 * request (a string = the assistant's content; { hang: true } = never answers; a number = that HTTP
 * status). Every request body is kept, so a test can read the prompt the engine sent.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeReply = string | number | { hang: true };
export interface ChatRequest { model: string; messages: Array<{ role: string; content: string }>; [k: string]: unknown }

export interface FakeLlm {
  baseUrl: string;
  requests: ChatRequest[];
  authorizations: Array<string | undefined>;
  close(): Promise<void>;
}

export async function startFakeLlm(reply: (req: ChatRequest) => FakeReply): Promise<FakeLlm> {
  const requests: ChatRequest[] = [];
  const authorizations: Array<string | undefined> = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(body) as ChatRequest;
      requests.push(parsed);
      authorizations.push(req.headers.authorization);
      const r = reply(parsed);
      if (typeof r === 'object') {
        hanging.add(res);
        return;
      }
      if (typeof r === 'number') {
        res.writeHead(r, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'fake error', type: 'server_error' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'chatcmpl-fake', object: 'chat.completion', created: 1_764_720_000, model: parsed.model,
          choices: [{ index: 0, message: { role: 'assistant', content: r, refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    authorizations,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
