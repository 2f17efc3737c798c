/**
 * What an answer was worth, in [0, 1]: 0 for a failure, else 1 less
 * penalties for latency, cost and malformed tool calls. Prices come from
 * `config/prices.json` (the file the stats plugin reads), with overrides.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StreamEvent, Usage } from '../../kernel/index.js';
import { clamp01 } from './features.js';

/** Per million tokens. */
export interface Price {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** `config/prices.json`, beside `plugins/` in the source tree or at the package root when running from `dist/`. */
export function loadPrices(): Record<string, Price> {
  const candidates = [path.resolve(HERE, '..', '..', 'config', 'prices.json'), path.resolve(HERE, '..', '..', '..', 'config', 'prices.json')];
  const file = candidates.find((c) => existsSync(c));
  if (!file) throw new Error(`the price table is missing (looked for ${candidates.join(' and ')})`);
  const data = JSON.parse(readFileSync(file, 'utf8')) as { models?: Record<string, Price> };
  if (!data.models || typeof data.models !== 'object') throw new Error(`${file} has no "models" table`);
  return data.models;
}

/**
 * The forms a model id is priced under, most specific first: as given, then
 * without a vendor prefix, a version tag, `-latest` or a date suffix, then
 * with dotted versions dashed (the table's own matching rules).
 */
function modelKeys(model: string): string[] {
  const given = model.toLowerCase().trim();
  let s = given.replace(/@.*$/, '');
  if (s.includes('/')) s = s.slice(s.lastIndexOf('/') + 1);
  s = s
    .replace(/^(?:[a-z]{2,4}\.)?anthropic\./, '')
    .replace(/^databricks-/, '')
    .replace(/-v\d+(?::\d+)?$/, '')
    .replace(/-latest$/, '')
    .replace(/-\d{8}$/, '')
    .replace(/-\d{4}-\d{2}-\d{2}$/, '');
  return [...new Set([given, s, s.replace(/(\d)\.(\d)/g, '$1-$2')])];
}

const FREE: Price = Object.freeze({ input: 0, output: 0 });

export class Prices {
  readonly #models = new Map<string, Price>();
  readonly #free: ReadonlySet<string>;
  readonly #found = new Map<string, Price | undefined>();

  constructor(models: Record<string, Price>, free: readonly string[]) {
    for (const [key, price] of Object.entries(models)) this.#models.set(key.toLowerCase(), price);
    this.#free = new Set(free);
  }

  /** `provider:model` first, then the model alone; undefined when unpriced. Memoized: arms are few. */
  find(provider: string, model: string): Price | undefined {
    const id = `${provider}:${model}`;
    if (this.#found.has(id)) return this.#found.get(id);
    let found: Price | undefined;
    if (this.#free.has(provider)) found = FREE;
    else {
      const keys = modelKeys(model);
      for (const key of keys) if ((found = this.#models.get(`${provider.toLowerCase()}:${key}`))) break;
      if (!found) for (const key of keys) if ((found = this.#models.get(key))) break;
    }
    this.#found.set(id, found);
    return found;
  }
}

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
