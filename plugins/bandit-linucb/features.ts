/**
 * The context a decision is made in: what the request is like, as numbers
 * in [0, 1]. Every feature here can change which model answers best.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { estimateRequestSize, type Message, type MessagesRequest } from '../../kernel/index.js';

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

/** The request's size: estimated prompt tokens (the kernel's estimate, the one router-tiers' guards use), and whether it carries images. */
export function sizeOf(request: MessagesRequest): { tokens: number; images: boolean } {
  const size = estimateRequestSize(request);
  return { tokens: size.tokens, images: size.images > 0 };
}
