import type { IncomingHttpHeaders } from 'node:http';
import type { Message, MessagesRequest } from '../../kernel/index.js';
import type { SideRequestKind } from './refs.js';
import { systemText } from './text.js';

/**
 * Texts Claude Code appends as the last user message of a background call
 * that forks the conversation (same tools, same history): they are how such a
 * call can be told from a real turn.
 */
const FORK_MARKERS: ReadonlyArray<readonly [string, SideRequestKind]> = [
  ['[SUGGESTION MODE:', 'suggestion'],
  ['The user stepped away and is coming back', 'summary'],
  ['Generate a short kebab-case name', 'title'],
  ['Your task is to create a detailed summary of', 'compaction'],
];

/** Whether the request comes from Claude Code, by the headers it always sends. */
export function fromClaudeCode(headers: IncomingHttpHeaders): boolean {
  const ua = headers['user-agent'];
  if (typeof ua === 'string' && ua.startsWith('claude-cli/')) return true;
  if (headers['x-app'] === 'cli' || headers['x-claude-code-session-id'] !== undefined) return true;
  const beta = headers['anthropic-beta'];
  return typeof beta === 'string' && beta.includes('claude-code-');
}

/** All text of a message, envelopes included: markers may sit anywhere in it. */
function rawText(message: Message | undefined): string {
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  let out = '';
  for (const block of message.content) if (block.type === 'text' && typeof block.text === 'string') out += block.text;
  return out;
}

/** Whether a structured-output schema asks for a `title` or a `name` (Claude Code's session titles). */
function asksForTitle(request: MessagesRequest): boolean {
  const format = (request.output_config as { format?: { schema?: { properties?: Record<string, unknown> } } } | undefined)?.format;
  const props = format?.schema?.properties;
  return props !== undefined && ('title' in props || 'name' in props);
}

/**
 * Which kind of background call a request is, or undefined for a real turn:
 * - `probe`: `max_tokens` of 1 (quota and model checks), from any client;
 * - a fork marker in the last user message (suggestions, away summaries,
 *   session names, compaction), or one of `extraMarkers` (`helper`);
 * - a tool-free call from Claude Code: its real turns always carry tools,
 *   its helpers (titles, summaries of tool use, web page digests) never do.
 *   A plain API client without tools gets full routing.
 */
export function detectSideRequest(
  request: MessagesRequest,
  headers: IncomingHttpHeaders,
  extraMarkers: readonly string[],
): SideRequestKind | undefined {
  if (request.max_tokens <= 1) return 'probe';
  const last = request.messages.at(-1);
  const text = last?.role === 'user' ? rawText(last) : '';
  for (const [marker, kind] of FORK_MARKERS) if (text.includes(marker)) return kind;
  for (const marker of extraMarkers) if (text.includes(marker)) return 'helper';
  if (request.tools?.length || !fromClaudeCode(headers)) return undefined;
  if (asksForTitle(request)) return 'title';
  const prompt = `${systemText(request)}\n${text}`.toLowerCase();
  if (prompt.includes('title')) return 'title';
  return prompt.includes('summar') ? 'summary' : 'helper';
}
