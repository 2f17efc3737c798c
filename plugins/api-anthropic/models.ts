/**
 * `GET /v1/models` in both list formats that share the path: Anthropic's
 * for clients that send `anthropic-version` (every Anthropic SDK and
 * Claude Code do), OpenAI's for the rest.
 */
import type { Logger } from 'pino';
import type { ModelInfo, ProviderAdapter } from '../../kernel/index.js';

/** Stands in for an unknown creation date: a fixed value keeps the list stable between calls. */
const UNKNOWN_CREATED_AT = '1970-01-01T00:00:00Z';

/**
 * Every model the providers offer, in provider then model order. An id
 * offered by two providers is listed once, for the first: the list names
 * models, and routing decides who serves them. A provider whose `models()`
 * throws is skipped (and logged) rather than failing the whole list.
 */
export function collectModels(adapters: readonly ProviderAdapter[], log: Logger): ModelInfo[] {
  const seen = new Set<string>();
  const out: ModelInfo[] = [];
  for (const adapter of adapters) {
    let models: ModelInfo[];
    try {
      models = adapter.models?.() ?? [];
    } catch (err) {
      log.warn({ err, provider: adapter.id }, `provider "${adapter.id}" failed to list its models`);
      continue;
    }
    for (const model of models) {
      if (seen.has(model.id)) continue;
      seen.add(model.id);
      out.push(model);
    }
  }
  return out;
}

/** One model in Anthropic's list format. */
export interface AnthropicModel {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

/** Anthropic's `GET /v1/models` answer. */
export interface AnthropicModelList {
  data: AnthropicModel[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/** Anthropic's paging query: `limit`, and `after_id` or `before_id`. */
export interface PageQuery {
  limit?: unknown;
  after_id?: unknown;
  before_id?: unknown;
}

/**
 * Anthropic's list, paged as its API pages: `after_id` starts after that
 * id, `before_id` ends before it, `limit` (1-1000) caps the page. Without
 * `limit` every model is listed at once, since clients that ignore
 * `has_more` would otherwise miss models.
 */
export function anthropicModelList(models: readonly ModelInfo[], query: PageQuery = {}): AnthropicModelList {
  let start = 0;
  let end: number;
  const limit = Number(query.limit);
  const hasLimit = query.limit !== undefined && Number.isInteger(limit) && limit >= 1;
  const size = hasLimit ? Math.min(limit, 1000) : models.length;
  if (typeof query.before_id === 'string') {
    const at = models.findIndex((m) => m.id === query.before_id);
    end = at === -1 ? models.length : at;
    start = Math.max(0, end - size);
  } else {
    if (typeof query.after_id === 'string') {
      const at = models.findIndex((m) => m.id === query.after_id);
      start = at === -1 ? 0 : at + 1;
    }
    end = Math.min(models.length, start + size);
  }
  const data = models.slice(start, end).map((m) => ({
    type: 'model' as const,
    id: m.id,
    display_name: m.displayName ?? m.id,
    created_at: m.createdAt ?? UNKNOWN_CREATED_AT,
  }));
  const hasMore = typeof query.before_id === 'string' ? start > 0 : end < models.length;
  return { data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

/** OpenAI's `GET /v1/models` answer. */
export interface OpenAIModelList {
  object: 'list';
  data: Array<{ id: string; object: 'model'; created: number; owned_by: string }>;
}

/** OpenAI's list: `created` in Unix seconds, `owned_by` the provider id. */
export function openAIModelList(models: readonly ModelInfo[]): OpenAIModelList {
  return {
    object: 'list',
    data: models.map((m) => ({ id: m.id, object: 'model', created: unixSeconds(m.createdAt), owned_by: m.provider })),
  };
}

function unixSeconds(date: string | undefined): number {
  const ms = date === undefined ? Number.NaN : Date.parse(date);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** Anthropic clients announce themselves with `anthropic-version`; OpenAI's SDK never sends it. */
export function wantsAnthropicFormat(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  return headers['anthropic-version'] !== undefined;
}
