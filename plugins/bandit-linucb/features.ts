/**
 * The context a decision is made in: what the request is like, as numbers
 * in [0, 1]. Every feature here can change which model answers best.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Message, MessagesRequest } from '../../kernel/index.js';

/** The features, in vector order. */
export const FEATURES = ['bias', 'score', 'tokens', 'tools', 'toolExchange', 'risk', 'stream', 'claudeCode', 'codex'] as const;
export const DIM = FEATURES.length;
/** Stored arm states carry it and are ignored when it differs: raise it whenever a feature changes meaning or scale. */
export const FEATURES_VERSION = 1;

/** Where `log(1 + tokens)` reaches 1: a 200k-token prompt. */
const LOG_TOKENS_FULL = Math.log1p(200_000);

/** What a context is made of, before it becomes a vector (features in [0, 1]). */
export interface ContextInput {
  /** The routing score, 0-100. */
  score: number;
  /** The estimated prompt tokens. */
  tokens: number;
  /** Tools offered (and not turned off by `tool_choice: none`). */
  tools: boolean;
  /** The last message answers tool calls. */
  toolExchange: boolean;
  /** 0-1: how much of the scorer's risk vocabulary the turn touches. */
  risk: number;
  stream: boolean;
  client: Client;
}

export type Client = 'claude-code' | 'codex' | 'other';

/**
 * The vector: a bias of 1, then each feature centred on [-0.5, 0.5]. Centred,
 * a feature that most requests share (tools, streaming, one client) is not a
 * second bias: it neither inflates the confidence width of an untried arm
 * nor takes the intercept's share of what an arm learns.
 */
export function contextVector(c: ContextInput): Float64Array {
  const x = new Float64Array(DIM);
  x[0] = 1;
  x[1] = clamp01(c.score / 100) - 0.5;
  x[2] = clamp01(Math.log1p(Math.max(0, c.tokens)) / LOG_TOKENS_FULL) - 0.5;
  x[3] = c.tools ? 0.5 : -0.5;
  x[4] = c.toolExchange ? 0.5 : -0.5;
  x[5] = clamp01(c.risk) - 0.5;
  x[6] = c.stream ? 0.5 : -0.5;
  x[7] = c.client === 'claude-code' ? 0.5 : -0.5;
  x[8] = c.client === 'codex' ? 0.5 : -0.5;
  return x;
}

export const clamp01 = (v: number): number => (v > 1 ? 1 : v > 0 ? v : 0);

/** The coding tool that sent the request, by the headers it always sends. */
export function clientOf(headers: Readonly<IncomingHttpHeaders>): Client {
  const ua = headers['user-agent'] ?? '';
  if (ua.startsWith('claude-cli') || ua.includes('claude-code') || headers['x-app'] === 'cli' || headers['x-claude-code-session-id'] !== undefined) return 'claude-code';
  const originator = headers.originator;
  if (ua.startsWith('codex') || (typeof originator === 'string' && originator.startsWith('codex'))) return 'codex';
  return 'other';
}

/** The last message answers tool calls: the model that made them must see the results. */
export function inToolExchange(request: MessagesRequest): boolean {
  const last = request.messages.at(-1);
  if (!last || last.role !== 'user' || typeof last.content === 'string') return false;
  for (const block of last.content) if (block.type === 'tool_result') return true;
  return false;
}

/** The latest user message with typed text, walking back; `''` when there is none. */
export function latestTypedText(request: MessagesRequest, typedText: (m: Message) => string): string {
  const { messages } = request;
  for (let i = messages.length - 1; i >= 0; i--) {
    const text = typedText(messages[i]!);
    if (text) return text;
  }
  return '';
}

/** Tools are offered and may be called. */
export const offersTools = (request: MessagesRequest): boolean => (request.tools?.length ?? 0) > 0 && request.tool_choice?.type !== 'none';

/** Characters per token: 3.5 errs towards overestimating, as router-tiers' guards do. */
const CHARS_PER_TOKEN = 3.5;
/** About what an image costs. */
const IMAGE_TOKENS = 1600;

/** The request's size: estimated prompt tokens, and whether it carries images. Walks it once, without serialising it. */
export function sizeOf(request: MessagesRequest): { tokens: number; images: boolean } {
  const acc = { chars: chars(request.system), images: 0 };
  if (request.tools) for (const tool of request.tools) acc.chars += chars(tool);
  for (const message of request.messages) content(message.content, acc);
  return { tokens: Math.ceil(acc.chars / CHARS_PER_TOKEN) + acc.images * IMAGE_TOKENS, images: acc.images > 0 };
}

/** Characters of every string in a JSON-like value, keys included. */
function chars(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return 4;
  if (Array.isArray(value)) {
    let n = 0;
    for (const item of value) n += chars(item);
    return n;
  }
  if (value && typeof value === 'object') {
    let n = 0;
    for (const key in value) n += key.length + chars((value as Record<string, unknown>)[key]);
    return n;
  }
  return 0;
}

function content(value: unknown, acc: { chars: number; images: number }): void {
  if (typeof value === 'string') {
    acc.chars += value.length;
    return;
  }
  if (!Array.isArray(value)) return;
  for (const block of value as Array<Record<string, unknown>>) {
    switch (block.type) {
      case 'text':
        acc.chars += typeof block.text === 'string' ? block.text.length : 0;
        break;
      case 'image':
        acc.images++;
        break;
      case 'tool_result':
        content(block.content, acc);
        break;
      case 'thinking':
        acc.chars += typeof block.thinking === 'string' ? block.thinking.length : 0;
        break;
      case 'redacted_thinking':
        break;
      default:
        acc.chars += chars(block);
    }
  }
}
