/**
 * The two model families Vertex serves, told apart by name: `claude-*`
 * (Anthropic's models, Anthropic Messages on `rawPredict`) and everything
 * else, `gemini-*` first (Google's models, `generateContent`). The family
 * decides the wire, the default model map and the capabilities.
 */
import { DEFAULT_CAPABILITIES, mapModel, type Capabilities, type ModelMap } from '../../kernel/index.js';

export type Family = 'claude' | 'gemini';

/** The wire a model is served on: Anthropic's models by name, everything else (Gemini, Gemma, tuned models) as Gemini. */
export const familyOf = (model: string): Family => (model.startsWith('claude') ? 'claude' : 'gemini');

/**
 * Claude names → Vertex's ids for the models that Vertex versions with a
 * date (`name@YYYYMMDD`): Claude 4.5 and older. From Claude 4.6 on, Vertex's
 * id is Anthropic's name itself (`claude-opus-4-6`), so those names need no
 * entry: a Claude name the map does not know is sent as it is (see
 * {@link resolveVertexModel}).
 */
export const CLAUDE_MODEL_MAP: ModelMap = Object.freeze({
  'claude-opus-4-5*': 'claude-opus-4-5@20251101',
  'claude-opus-4-1*': 'claude-opus-4-1@20250805',
  'claude-opus-4-0*': 'claude-opus-4@20250514',
  'claude-opus-4-2025*': 'claude-opus-4@20250514',
  'claude-sonnet-4-5*': 'claude-sonnet-4-5@20250929',
  'claude-sonnet-4-0*': 'claude-sonnet-4@20250514',
  'claude-sonnet-4-2025*': 'claude-sonnet-4@20250514',
  'claude-3-7-sonnet*': 'claude-3-7-sonnet@20250219',
  'claude-haiku-4-5*': 'claude-haiku-4-5@20251001',
  'claude-3-5-haiku*': 'claude-3-5-haiku@20241022',
});

/**
 * Claude names → Gemini models of the same rank: Google's largest model
 * (Gemini 3.1 Pro, in preview), the Flash Google recommends for coding
 * agents, and its fastest Flash-Lite.
 */
export const GEMINI_MODEL_MAP: ModelMap = Object.freeze({
  opus: 'gemini-3.1-pro-preview',
  sonnet: 'gemini-3.8-flash',
  haiku: 'gemini-3.5-flash-lite',
});

export const DEFAULT_MODEL: Readonly<Record<Family, string>> = Object.freeze({
  claude: 'claude-sonnet-4-6',
  gemini: 'gemini-3.8-flash',
});

/** Names that are already Vertex ids: a dated Claude id, a Gemini or Gemma model. */
const UPSTREAM_NAME = /@|^gemini-|^gemma-/;
/** The date Anthropic appends to a name (`-20250929`), which Vertex's undated ids do not have. */
const DATE_SUFFIX = /-\d{8}$/;

/**
 * The upstream model for a requested name, when the route names none. A
 * name that is already a Vertex id (`claude-…@date`, `gemini-…`) is kept;
 * other names go through the map; a Claude name the map does not know, when
 * Claude names map to Claude, is sent as Vertex names current Claude models
 * (Anthropic's name without its date); anything else gets the default.
 */
export function resolveVertexModel(requested: string, map: ModelMap, defaultModel: string, family: Family): string {
  if (UPSTREAM_NAME.test(requested)) return requested;
  const mapped = mapModel(requested, map);
  if (mapped !== undefined) return mapped;
  if (family === 'claude' && requested.startsWith('claude-')) return requested.replace(DATE_SUFFIX, '');
  return defaultModel;
}

/**
 * What current Claude models on Vertex can all take, as provider-anthropic
 * says it: informs routing; `max_tokens` is clamped only to a configured
 * limit, since Claude models differ widely.
 */
const CLAUDE: Capabilities = Object.freeze({ ...DEFAULT_CAPABILITIES, vision: true, thinking: true, maxOutputTokens: 32_000, contextWindow: 200_000 });

/** Gemini 2.x and later: a 1M-token context, images, function calling. */
const GEMINI: Capabilities = Object.freeze({ ...DEFAULT_CAPABILITIES, vision: true, thinking: false, maxOutputTokens: 8192, contextWindow: 1_048_576 });

/**
 * A model's capabilities. Gemini 2.5 and 3 think and write up to 65536
 * tokens; Gemini 2.0 and older write 8192 and do not think. Gemini answers
 * 400 to a `maxOutputTokens` above its limit, so Gemini requests are always
 * clamped to this.
 */
export function capabilitiesOf(model: string): Capabilities {
  if (familyOf(model) === 'claude') return CLAUDE;
  return thinks(model) ? { ...GEMINI, thinking: true, maxOutputTokens: 65_536 } : GEMINI;
}

/** Gemini 2.5 and every later major version think. */
function thinks(model: string): boolean {
  const version = /^gemini-(\d+)(?:\.(\d+))?/.exec(model);
  if (!version) return false;
  const major = Number(version[1]);
  return major > 2 || (major === 2 && Number(version[2] ?? 0) >= 5);
}

/**
 * The thinking budgets a Gemini model accepts (its documented range), or
 * undefined for one that does not think. Requests are clamped into it.
 */
export function thinkingBudgetOf(model: string): { min: number; max: number } | undefined {
  if (!capabilitiesOf(model).thinking) return undefined;
  if (model.startsWith('gemini-2.5-flash-lite')) return { min: 512, max: 24_576 };
  if (model.startsWith('gemini-2.5-flash')) return { min: 1, max: 24_576 };
  return { min: 128, max: 32_768 };
}
