/**
 * The OpenAI-compatible face of the engine, so chat tools (OpenWebUI, the openai client) can
 * ask: one model, p88-results; the last user message is the question; the answer is markdown
 * (the sentence, then up to CHAT_TABLE_ROWS rows as a table). The answers are the engine's (rules, and
 * the optional language-model fallback of ask.llm.ts only for questions the rules do not understand).
 */
import { randomUUID } from 'node:crypto';
import type { AskAnswer } from './ask.service.js';

export const CHAT_MODEL = 'p88-results';
export const CHAT_TABLE_ROWS = 10;

type Content = string | Array<{ type: string; text?: string | undefined }> | null | undefined;

/** The last user message's text (parts of type text joined). */
export function lastUserText(messages: Array<{ role: string; content?: Content }>): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) return m.content.filter((p) => p.type === 'text' && typeof p.text === 'string').map((p) => p.text).join('\n');
  }
  return '';
}

const cell = (v: unknown) => (v === null || v === undefined ? '' : String(typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean)).replace(/\|/g, '\\|').replace(/\s+/g, ' '));

export function toMarkdown(a: AskAnswer): string {
  const lines = [a.answer];
  if (a.candidates.length > 0) lines.push('', ...a.candidates.map((c) => `- ${c}`));
  if (a.rows.length > 0 && a.value === null) {
    const shown = a.rows.slice(0, CHAT_TABLE_ROWS);
    lines.push('', `| ${a.columns.map(cell).join(' | ')} |`, `| ${a.columns.map(() => '---').join(' | ')} |`);
    for (const r of shown) lines.push(`| ${a.columns.map((c) => cell(r[c])).join(' | ')} |`);
    if (a.rows.length > shown.length || a.truncated) lines.push('', `_${shown.length} of ${a.truncated ? 'more than ' : ''}${a.row_count} rows shown; ask /api/v1/nl-query?format=csv for all._`);
  }
  if (a.status === 'answered') lines.push('', `<sub>confidence ${a.confidence.toFixed(2)} · ${a.intent}</sub>`);
  return lines.join('\n');
}

const approxTokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));

function usage(question: string, content: string) {
  const prompt = approxTokens(question);
  const done = approxTokens(content);
  return { prompt_tokens: prompt, completion_tokens: done, total_tokens: prompt + done };
}

export function completion(question: string, content: string, now: Date) {
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion' as const,
    created: Math.floor(now.getTime() / 1000),
    model: CHAT_MODEL,
    choices: [{ index: 0, message: { role: 'assistant' as const, content, refusal: null }, logprobs: null, finish_reason: 'stop' as const }],
    usage: usage(question, content),
  };
}

/**
 * Chat front ends send their own background tasks to the chat model too: OpenWebUI asks it for a
 * chat's title, its tags, follow-up questions and search queries, each as a prompt that starts
 * with "### Task:", quotes the conversation in <chat_history> and names the JSON it wants
 * ('JSON format: { "title": … }'). Those are not questions about results: asking the engine
 * would answer whatever event the quoted conversation names, and the front end would get a
 * table where it wants JSON. The key of the JSON asked for, or null for an ordinary question.
 */
export function clientTaskKey(text: string): string | null {
  if (!/^\s*###\s*Task:/i.test(text) || !/<chat_history>/i.test(text)) return null;
  return /JSON format:\s*\{\s*"(\w+)"/i.exec(text)?.[1] ?? '';
}

const TITLE_WORDS = 6;

/**
 * The JSON a client task asks for: the title is the conversation's first question, shortened;
 * follow-ups are example questions made from the partner's own events; tags say what the chat
 * is about; anything else (search queries, autocompletion) gets an empty answer, so the front
 * end does nothing with it.
 */
export function clientTaskAnswer(key: string, text: string, followUps: string[]): string {
  const history = /<chat_history>([\s\S]*?)<\/chat_history>/i.exec(text)?.[1] ?? '';
  const firstQuestion = /^\s*USER:\s*(.+)$/im.exec(history)?.[1]?.trim() ?? '';
  const words = firstQuestion.replace(/[?!.]+$/, '').split(/\s+/).filter(Boolean);
  const title = words.length === 0 ? 'Race results' : words.slice(0, TITLE_WORDS).join(' ') + (words.length > TITLE_WORDS ? '…' : '');
  const answers: Record<string, unknown> = { title, tags: ['Race results'], follow_ups: followUps.slice(0, 3), queries: [], text: '' };
  return JSON.stringify(key in answers ? { [key]: answers[key] } : {});
}

/**
 * The answer as OpenAI's server-sent chunks: role, the content in pieces, stop, then (when the
 * client asked with stream_options.include_usage, as OpenWebUI always does) a last chunk with no
 * choices and the usage, then [DONE].
 */
export function completionStream(content: string, now: Date, usageOf: string | null = null): string {
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(now.getTime() / 1000);
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: CHAT_MODEL, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
  const parts: string[] = [chunk({ role: 'assistant', content: '' }, null)];
  // by line, so a client shows the sentence first and the table as it arrives
  for (const piece of content.split(/(?<=\n)/)) parts.push(chunk({ content: piece }, null));
  parts.push(chunk({}, 'stop'));
  if (usageOf !== null) parts.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: CHAT_MODEL, choices: [], usage: usage(usageOf, content) })}\n\n`);
  parts.push('data: [DONE]\n\n');
  return parts.join('');
}
