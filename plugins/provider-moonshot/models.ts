/**
 * Moonshot's models: which name the upstream model, what each can take,
 * and the sampling Kimi models are pinned to.
 */
import { DEFAULT_CAPABILITIES, resolveModel, type Capabilities, type InvokeCall, type ModelMap } from '../../kernel/index.js';

/** Moonshot's own model ids: a client that names one gets it (after the retired-id map), not the default. */
const NATIVE = /^(?:kimi-|moonshot-v1)/;

/**
 * The upstream model for a requested one when the route names none: through
 * the map; else, for a Moonshot id, that id; else the default.
 */
export function resolveMoonshotModel(requested: string, map: ModelMap, defaultModel: string): string {
  return resolveModel(requested, { map, defaultModel: NATIVE.test(requested) ? undefined : defaultModel });
}

/** The upstream model for a call: the route's as given, else {@link resolveMoonshotModel}. */
export function moonshotModel(call: Pick<InvokeCall, 'request' | 'decision'>, map: ModelMap, defaultModel: string): string {
  return call.decision.model || resolveMoonshotModel(call.request.model, map, defaultModel);
}

/** Kimi K-series models are served with this sampling, whatever the client asks (as Moonshot recommends for them). */
const KIMI_K = /^kimi-k/;
const PINNED = { temperature: 1, top_p: 0.95 } as const;

/** The body with Kimi K-series sampling pinned; other models keep the client's. */
export function pinSampling(body: Record<string, unknown>, model: string): Record<string, unknown> {
  if (KIMI_K.test(model)) Object.assign(body, PINNED);
  return body;
}

/** Model families by name, the first match wins. */
const FAMILIES: ReadonlyArray<[RegExp, Partial<Capabilities>]> = [
  [/^kimi-k2-thinking/, { thinking: true, maxOutputTokens: 32_768, contextWindow: 262_144 }],
  // K2.5 onwards read images and think.
  [/^kimi-k(?:2\.\d|[3-9])/, { vision: true, thinking: true, maxOutputTokens: 32_768, contextWindow: 262_144 }],
  [/^kimi-/, { maxOutputTokens: 32_768, contextWindow: 262_144 }],
  [/^moonshot-v1-8k/, { contextWindow: 8_192, maxOutputTokens: 4_096 }],
  [/^moonshot-v1-32k/, { contextWindow: 32_768 }],
  [/^moonshot-v1-128k/, { contextWindow: 131_072 }],
];

export function capabilitiesFor(model: string, configured: Partial<Capabilities> | undefined): Capabilities {
  const family = FAMILIES.find(([pattern]) => pattern.test(model))?.[1];
  const vision = /vision/.test(model) ? { vision: true } : undefined;
  return { ...DEFAULT_CAPABILITIES, ...family, ...vision, ...configured };
}
