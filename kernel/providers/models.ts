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
 * first; then `*`, which maps everything else.
 * @public
 */
export type ModelMap = Readonly<Record<string, string>>;

/** The mapped name, or undefined when no key matches. @public */
export function mapModel(requested: string, map: ModelMap): string | undefined {
  if (!requested) return map['*'];
  const exact = map[requested];
  if (exact !== undefined) return exact;
  const keys = Object.keys(map).sort((a, b) => b.length - a.length);
  for (const key of keys) {
    if (key.length > 1 && key.endsWith('*') && requested.startsWith(key.slice(0, -1))) return map[key];
  }
  const lower = requested.toLowerCase();
  for (const key of keys) {
    if (!key.includes('*') && lower.includes(key.toLowerCase())) return map[key];
  }
  return map['*'];
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
