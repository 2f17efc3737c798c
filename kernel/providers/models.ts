/**
 * Which upstream model answers a request. A route that names a model (a tier's
 * `provider:model`, `router-static`'s target) is used as given. Otherwise the
 * model the client asked for is looked up in the provider's model map, so
 * that Claude Code asking for `claude-sonnet-4-5` reaches, say, Bedrock's
 * `us.anthropic.claude-sonnet-4-5-20250929-v1:0` or Z.ai's `glm-4.6`.
 */
import type { MessagesRequest } from '../ir/types.js';
import type { RouteDecision } from '../pipeline/types.js';

/**
 * A provider's model map. Keys are matched against the requested name in
 * this order: the exact name; then a key ending in `*` as a prefix
 * (`claude-3-5-*`), the longest first; then a family word (`opus`, `sonnet`,
 * `haiku`, or any key without `*`) that appears in the name, the longest
 * first; then `*`, which maps everything else. A map is read as immutable:
 * its keys are sorted once, on first use.
 * @public
 */
export type ModelMap = Readonly<Record<string, string>>;

/** The mapped name, or undefined when no key matches. @public */
export function mapModel(requested: string, map: ModelMap): string | undefined {
  if (!requested) return map['*'];
  const exact = map[requested];
  if (exact !== undefined) return exact;
  return compiled(map).lookup(requested);
}

/**
 * A map's prefix and family keys, sorted once; and the answers for the names
 * seen so far, since a gateway sees the same few model names all day.
 */
interface CompiledMap {
  lookup(requested: string): string | undefined;
}

const COMPILED = new WeakMap<ModelMap, CompiledMap>();
/** Names remembered per map; a client inventing names cannot grow it further. */
const MAX_REMEMBERED = 256;

function compiled(map: ModelMap): CompiledMap {
  let c = COMPILED.get(map);
  if (c) return c;
  const keys = Object.keys(map).sort((a, b) => b.length - a.length);
  const prefixes = keys.filter((k) => k.length > 1 && k.endsWith('*')).map((k) => [k.slice(0, -1), map[k]!] as const);
  const families = keys.filter((k) => !k.includes('*')).map((k) => [k.toLowerCase(), map[k]!] as const);
  const fallback = map['*'];
  const seen = new Map<string, string | undefined>();
  c = {
    lookup(requested) {
      if (seen.has(requested)) return seen.get(requested);
      let found: string | undefined;
      for (const [prefix, to] of prefixes) {
        if (requested.startsWith(prefix)) {
          found = to;
          break;
        }
      }
      if (found === undefined) {
        const lower = requested.toLowerCase();
        for (const [family, to] of families) {
          if (lower.includes(family)) {
            found = to;
            break;
          }
        }
      }
      found ??= fallback;
      if (seen.size < MAX_REMEMBERED) seen.set(requested, found);
      return found;
    },
  };
  COMPILED.set(map, c);
  return c;
}

/**
 * The upstream model for a call: the route's model; else the requested model
 * through `map`; else the provider's default; else the requested name as it
 * is (a provider with no default passes through what the client asked for).
 * @public
 */
export function pickModel(
  call: { readonly request: Pick<MessagesRequest, 'model'>; readonly decision: Pick<RouteDecision, 'model'> },
  provider: { map?: ModelMap; defaultModel?: string },
): string {
  if (call.decision.model) return call.decision.model;
  return resolveModel(call.request.model, provider);
}

/** The requested model through `map`, else the provider's default, else as requested. @public */
export function resolveModel(requested: string, provider: { map?: ModelMap; defaultModel?: string }): string {
  const mapped = provider.map ? mapModel(requested, provider.map) : undefined;
  return mapped ?? provider.defaultModel ?? requested;
}
