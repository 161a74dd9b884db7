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

export function completion(question: string, content: string, now: Date) {
  const prompt = approxTokens(question);
  const done = approxTokens(content);
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion' as const,
    created: Math.floor(now.getTime() / 1000),
    model: CHAT_MODEL,
    choices: [{ index: 0, message: { role: 'assistant' as const, content, refusal: null }, logprobs: null, finish_reason: 'stop' as const }],
    usage: { prompt_tokens: prompt, completion_tokens: done, total_tokens: prompt + done },
  };
}

/** The answer as OpenAI's server-sent chunks: role, the content in pieces, stop, [DONE]. */
export function completionStream(content: string, now: Date): string {
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(now.getTime() / 1000);
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: CHAT_MODEL, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
  const parts: string[] = [chunk({ role: 'assistant', content: '' }, null)];
  // by line, so a client shows the sentence first and the table as it arrives
  for (const piece of content.split(/(?<=\n)/)) parts.push(chunk({ content: piece }, null));
  parts.push(chunk({}, 'stop'), 'data: [DONE]\n\n');
  return parts.join('');
}
