/**
 * Ollama from the environment, on its native API (`provider-ollama`): the
 * original Lynkr's variables, plus OLLAMA_NUM_CTX, OLLAMA_THINK and
 * OLLAMA_API_KEY.
 *
 * | variable | option |
 * | --- | --- |
 * | `OLLAMA_ENDPOINT` (default http://127.0.0.1:11434; the plugin removes a trailing /v1, /api or /api/chat) | `baseUrl` |
 * | `OLLAMA_MODEL` (default qwen2.5-coder:7b) | the default model |
 * | `OLLAMA_KEEP_ALIVE` (`10m`, or a number of seconds, which the plugin sends as a number) | `keepAlive` |
 * | `OLLAMA_NUM_CTX` | `numCtx` |
 * | `OLLAMA_THINK` (true, false, low, medium, high) | `think` |
 * | `OLLAMA_API_KEY` | `apiKey` |
 * | `OLLAMA_TIMEOUT_MS` (read by nothing in the original) | `timeouts.firstByteMs`: loading a model is the wait before the first byte |
 */
import { LynkrError } from '../../kernel/errors.js';
import type { Env } from '../env.js';
import type { EnvProvider } from './types.js';

const DEFAULT_ENDPOINT = 'http://127.0.0.1:11434';
const DEFAULT_MODEL = 'qwen2.5-coder:7b';

/** The variable's value, trimmed; undefined when unset or blank. */
function filled(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** A positive whole number, or a boot error naming the variable: a typo should not fall back to a default unseen. */
function positiveInt(name: string, value: string | undefined): number | undefined {
  const text = filled(value);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', `${name}=${text} is not a positive whole number`);
  return n;
}

const THINK: Readonly<Record<string, boolean | 'low' | 'medium' | 'high'>> = { true: true, false: false, low: 'low', medium: 'medium', high: 'high' };

function think(value: string | undefined): boolean | 'low' | 'medium' | 'high' | undefined {
  const text = filled(value);
  if (text === undefined) return undefined;
  const level = THINK[text.toLowerCase()];
  if (level === undefined) throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', `OLLAMA_THINK=${text} is not one of true, false, low, medium, high`);
  return level;
}

export const ollama: EnvProvider = {
  id: 'ollama',
  plugin: 'provider-ollama',
  on: (env: Env) => filled(env.OLLAMA_ENDPOINT) !== undefined,
  options(env: Env) {
    const options: Record<string, unknown> = { baseUrl: filled(env.OLLAMA_ENDPOINT) ?? DEFAULT_ENDPOINT };
    const keepAlive = filled(env.OLLAMA_KEEP_ALIVE);
    if (keepAlive !== undefined) options.keepAlive = keepAlive;
    const numCtx = positiveInt('OLLAMA_NUM_CTX', env.OLLAMA_NUM_CTX);
    if (numCtx !== undefined) options.numCtx = numCtx;
    const level = think(env.OLLAMA_THINK);
    if (level !== undefined) options.think = level;
    const apiKey = filled(env.OLLAMA_API_KEY);
    if (apiKey !== undefined) options.apiKey = apiKey;
    const firstByteMs = positiveInt('OLLAMA_TIMEOUT_MS', env.OLLAMA_TIMEOUT_MS);
    if (firstByteMs !== undefined) options.timeouts = { firstByteMs };
    return options;
  },
  model: (env: Env) => filled(env.OLLAMA_MODEL) ?? DEFAULT_MODEL,
};
