/**
 * The chat endpoint as OpenWebUI uses it. OpenWebUI cannot run on these machines (it is a
 * Python application and PyPI is out of reach), so these tests send the requests its OpenAI
 * router sends (read from its source, backend/open_webui/routers/openai.py and its task
 * prompt templates): the model list with a bearer key, a streamed chat with
 * stream_options.include_usage and the last message's content as parts with cache_control,
 * and its background tasks (a title, tags, follow-up questions, search queries) sent to the
 * same model as "### Task:" prompts quoting the conversation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { newPartner, type TestPartner } from '../../test/helpers/factories.js';
import { A_PEOPLE, A_RACES, csvFor } from '../../test/helpers/ask-data.js';
import { clientTaskAnswer, clientTaskKey } from './ask.chat.js';

/** A task prompt shaped like OpenWebUI's: instructions, the JSON wanted, the conversation quoted. */
function taskPrompt(instruction: string, json: string, history: string): string {
  return `### Task:\n${instruction}\n### Guidelines:\n- Use the chat's primary language; default to English if multilingual.\n### Output:\nJSON format: ${json}\n### Chat History:\n<chat_history>\n${history}\n</chat_history>`;
}

const HISTORY = 'USER: How many runners finished the Boston Half Marathon under 2 hours?\nASSISTANT: 12 runners finished Boston Half Marathon 2025 under 2:00:00.\n\n| event | n |\n| --- | --- |\n| Boston Half Marathon 2025 | 12 |';

describe('client tasks in chat prompts', () => {
  it('are told from questions by their shape, not by a word', () => {
    expect(clientTaskKey(taskPrompt('Generate a concise title.', '{ "title": "your concise title here" }', HISTORY))).toBe('title');
    expect(clientTaskKey(taskPrompt('Suggest follow-ups.', '{ "follow_ups": ["Question 1?"] }', HISTORY))).toBe('follow_ups');
    // A question that merely mentions a task, or quotes a history without the task header, is a question.
    expect(clientTaskKey('How many runners finished? ### Task: none <chat_history>')).toBeNull();
    expect(clientTaskKey('### Task: how many runners finished the Boston Marathon?')).toBeNull();
  });

  it('titles come from the conversation’s first question, shortened; unknown tasks get an empty object', () => {
    expect(JSON.parse(clientTaskAnswer('title', taskPrompt('Title it.', '{ "title": "…" }', HISTORY), []))).toEqual({ title: 'How many runners finished the Boston…' });
    expect(JSON.parse(clientTaskAnswer('title', taskPrompt('Title it.', '{ "title": "…" }', 'USER: Boston results?'), []))).toEqual({ title: 'Boston results' });
    expect(JSON.parse(clientTaskAnswer('emoji', taskPrompt('Pick an emoji.', '{ "emoji": "…" }', HISTORY), []))).toEqual({});
  });
});

describe('the chat endpoint as OpenWebUI calls it', () => {
  let test: TestApp;
  let a: TestPartner;
  let key: string;

  beforeAll(async () => {
    test = await startTestApp({ listen: true });
    a = await newPartner(test.app, { slug: 'owui-a' });
    const res = await test.app.inject({ method: 'POST', url: '/api/results/import', headers: { ...a.owner.headers, 'content-type': 'text/csv' }, payload: csvFor(A_RACES, A_PEOPLE) });
    expect(res.json().errors).toEqual([]);
    key = (await test.app.inject({ method: 'POST', url: '/api/tokens', headers: a.owner.headers, payload: { name: 'OpenWebUI', scopes: ['results:read'] } })).json().secret as string;
  });
  afterAll(() => test.close());

  const post = (body: unknown) =>
    fetch(`${test.baseUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });

  it('lists the model for the connection check', async () => {
    const res = await fetch(`${test.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)).toEqual(['p88-results']);
  });

  it('streams an answer, then the usage it asked for, then [DONE]', async () => {
    const res = await post({
      model: 'p88-results',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: [{ type: 'text', text: 'How many runners finished the Boston Half Marathon?', cache_control: { type: 'ephemeral' } }] },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await res.text()).split('\n\n').filter(Boolean).map((e) => e.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage?: { total_tokens: number } });
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.total_tokens).toBeGreaterThan(0);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    // The import's Boston Half has 30 runners, every 11th a DNF: 28 finished.
    expect(text).toMatch(/^28 runners finished/);
    expect(chunks.filter((c) => c.choices[0]?.finish_reason === 'stop')).toHaveLength(1);
  });

  it('answers its background tasks in the JSON each asks for, without answering the quoted question', async () => {
    const ask = async (instruction: string, json: string) => {
      const res = await post({ model: 'p88-results', stream: false, messages: [{ role: 'user', content: taskPrompt(instruction, json, HISTORY) }] });
      expect(res.status).toBe(200);
      return JSON.parse(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content) as Record<string, unknown>;
    };
    expect(await ask('Generate a concise, 3-5 word title with an emoji summarizing the chat history.', '{ "title": "your concise title here" }')).toEqual({ title: 'How many runners finished the Boston…' });
    expect(await ask('Generate 1-3 broad tags categorizing the main themes of the chat history.', '{ "tags": ["tag1", "tag2", "tag3"] }')).toEqual({ tags: ['Race results'] });
    expect(await ask('Analyze the chat history to determine the necessity of generating search queries.', '{ "queries": ["query1", "query2"] }')).toEqual({ queries: [] });
    const followUps = (await ask('Suggest 3-5 relevant follow-up questions.', '{ "follow_ups": ["Question 1?", "Question 2?", "Question 3?"] }')).follow_ups as string[];
    expect(followUps).toHaveLength(3);
    // Made from the partner's own events, and each one a question the engine answers.
    expect(followUps.some((q) => /Boston|Shamrock|Hartford/.test(q))).toBe(true);
    for (const q of followUps) {
      const res = await test.app.inject({ method: 'POST', url: '/api/v1/nl-query', headers: { authorization: `Bearer ${key}` }, payload: { question: q } });
      expect(res.json().status, q).not.toBe('not_understood');
    }
  });
});
