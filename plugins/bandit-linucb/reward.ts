/**
 * What an answer was worth, in [0, 1]: 0 for a failure, else 1 less
 * penalties for latency, cost and malformed tool calls. Prices come from
 * the kernel's price table (`config/prices.json`), with overrides.
 */
import type { Price, StreamEvent, Usage } from '../../kernel/index.js';
import { clamp01 } from './features.js';

/** The cost of an answer's tokens, in the table's currency. */
export function costOf(usage: Usage, price: Price): number {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  return (
    (usage.input_tokens * price.input +
      usage.output_tokens * price.output +
      cacheRead * (price.cacheRead ?? price.input) +
      cacheWrite * (price.cacheWrite ?? price.input)) /
    1_000_000
  );
}

export interface RewardWeights {
  latency: number;
  cost: number;
  toolCalls: number;
}

export interface RewardScales {
  latencyMs: number;
  cost: number;
}

export interface Outcome {
  /** Time waiting on the provider before its first event. */
  latencyMs: number;
  /** Undefined when the model has no price. */
  cost: number | undefined;
  /** Valid tool calls / tool calls (1 when there were none). */
  toolValidity: number;
}

/**
 * 1 − latency·t/(t + t₀) − cost·c/(c + c₀) − toolCalls·(1 − validity),
 * clamped to [0, 1]. The saturating penalties rank every latency and cost
 * without a cliff; at t = t₀ (c = c₀) a penalty is half its weight.
 */
export function rewardOf(o: Outcome, weights: RewardWeights, scales: RewardScales): number {
  const latency = o.latencyMs / (o.latencyMs + scales.latencyMs);
  const cost = o.cost === undefined ? 0 : o.cost / (o.cost + scales.cost);
  return clamp01(1 - weights.latency * latency - weights.cost * cost - weights.toolCalls * (1 - o.toolValidity));
}

/**
 * Checks the tool calls of an answer as it streams: a call is valid when
 * it names a tool the request offered and its input parses as a JSON object.
 */
export class ToolCalls {
  calls = 0;
  valid = 0;
  readonly #open = new Map<number, { name: string; json: string; input: unknown }>();

  constructor(private readonly offered: () => ReadonlySet<string>) {}

  see(event: StreamEvent): void {
    if (event.type === 'content_block_start') {
      const block = event.content_block as { type: string; name?: unknown; input?: unknown };
      if (block.type === 'tool_use') this.#open.set(event.index, { name: typeof block.name === 'string' ? block.name : '', json: '', input: block.input });
    } else if (event.type === 'content_block_delta') {
      if (event.delta.type !== 'input_json_delta') return;
      const call = this.#open.get(event.index);
      if (call) call.json += event.delta.partial_json;
    } else if (event.type === 'content_block_stop') {
      const call = this.#open.get(event.index);
      if (!call) return;
      this.#open.delete(event.index);
      this.calls++;
      if (this.offered().has(call.name) && isObject(call.json ? parse(call.json) : call.input)) this.valid++;
    }
  }

  /** Valid calls over calls; an answer without tool calls is not penalised. */
  get validity(): number {
    return this.calls === 0 ? 1 : this.valid / this.calls;
  }
}

const INVALID = Symbol('invalid');

function parse(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return INVALID;
  }
}

const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
