/**
 * The price table: `config/prices.json`, and how a `provider:model` finds its
 * price. Shared by every plugin that puts a cost on tokens (stats, the
 * bandit's reward), each adding its own overrides.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** US dollars (or the table's currency) per million tokens. @public */
export interface Price {
  input: number;
  output: number;
  /** Input read from a prompt cache; the input price when missing. */
  cacheRead?: number;
  /** Input written to a prompt cache; the input price when missing. */
  cacheWrite?: number;
}

/** @public */
export interface PriceFile {
  currency: string;
  models: Record<string, Price>;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * `config/prices.json`: beside `kernel/` in the source tree, and at the
 * package root when running from `dist/` (the build does not copy JSON).
 * @public
 */
export function priceFilePath(): string {
  const candidates = [path.resolve(HERE, '..', 'config', 'prices.json'), path.resolve(HERE, '..', '..', 'config', 'prices.json')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`the price table is missing (looked for ${candidates.join(' and ')})`);
  return found;
}

/** @public */
export function loadPriceFile(file = priceFilePath()): PriceFile {
  const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<PriceFile>;
  if (!data.models || typeof data.models !== 'object') throw new Error(`${file} has no "models" table`);
  return { currency: data.currency ?? 'USD', models: data.models };
}

/**
 * The forms a model id is priced under, most specific first: as given, then
 * without a vendor prefix (`anthropic/`, `us.anthropic.`, `databricks-`), a
 * version tag (`-v1:0`, `@20250929`), `-latest` or a date suffix, then with
 * dotted versions dashed (`claude-sonnet-4.5` → `claude-sonnet-4-5`).
 * @public
 */
export function modelKeys(model: string): string[] {
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

const FREE: Price = Object.freeze({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });

/** @public */
export class PriceTable {
  readonly #models = new Map<string, Price>();
  readonly #free: Set<string>;
  /** Lookups by `provider:model`: the models a gateway serves are few (bounded all the same, for clients that name anything). */
  readonly #found = new Map<string, Price | undefined>();

  /** `free`: providers whose models cost nothing (local servers). */
  constructor(models: Record<string, Price>, free: readonly string[]) {
    for (const [key, price] of Object.entries(models)) this.#models.set(key.toLowerCase(), price);
    this.#free = new Set(free);
  }

  /** The price of a model at a provider: `provider:model` first, then the model alone. */
  find(provider: string, model: string): Price | undefined {
    const id = `${provider}:${model}`;
    if (this.#found.has(id)) return this.#found.get(id);
    const price = this.#lookup(provider, model);
    if (this.#found.size < 1024) this.#found.set(id, price);
    return price;
  }

  #lookup(provider: string, model: string): Price | undefined {
    if (this.#free.has(provider)) return FREE;
    const keys = modelKeys(model);
    for (const key of keys) {
      const price = this.#models.get(`${provider.toLowerCase()}:${key}`);
      if (price) return price;
    }
    for (const key of keys) {
      const price = this.#models.get(key);
      if (price) return price;
    }
    return undefined;
  }
}
