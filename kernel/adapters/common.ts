/**
 * What the kernel's upstream adapters share: the models a provider lists,
 * its capabilities per model, an endpoint that may hold the model, and the
 * request headers of an OpenAI-style JSON API.
 */
import { DEFAULT_CAPABILITIES, type Capabilities, type ModelInfo } from '../providers/types.js';

/** The default model and the configured ones, each once, for `/v1/models`. */
export function listedModels(provider: string, model: string | undefined, models: readonly string[] | undefined): ModelInfo[] {
  return [...new Set([model, ...(models ?? [])].filter((m): m is string => !!m))].map((id) => ({ id, provider }));
}

/** Capabilities per model: a provider's own function, or one record over DEFAULT_CAPABILITIES for every model. */
export function capabilitiesFor(spec: Partial<Capabilities> | ((model: string) => Capabilities) | undefined): (model: string) => Capabilities {
  if (typeof spec === 'function') return spec;
  const fixed: Readonly<Capabilities> = Object.freeze({ ...DEFAULT_CAPABILITIES, ...spec });
  return () => fixed;
}

const MODEL = '{model}';

/** The endpoint for a model: `url` parsed once, unless it holds `{model}` (a serving endpoint, an Azure deployment). */
export function endpointFor(url: string): (model: string) => string | URL {
  if (!url.includes(MODEL)) {
    const fixed = new URL(url);
    return () => fixed;
  }
  return (model) => url.replace(MODEL, encodeURIComponent(model));
}

/** A JSON API's request headers over the configured ones, built once: streamed (SSE) and whole. */
export function jsonApiHeaders(headers: Readonly<Record<string, string>>): { stream: Record<string, string>; whole: Record<string, string> } {
  return {
    stream: { ...headers, 'content-type': 'application/json', accept: 'text/event-stream' },
    whole: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
  };
}
