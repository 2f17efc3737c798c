/**
 * Google Vertex AI from the environment (`provider-vertex`). The original
 * Lynkr knew only the Gemini API with a key (`VERTEX_API_KEY` or
 * `GOOGLE_API_KEY`, `VERTEX_MODEL`); these add Vertex itself, with Google
 * credentials, for Claude and Gemini models.
 *
 * | variable | option |
 * | --- | --- |
 * | `VERTEX_PROJECT_ID`, else `GOOGLE_CLOUD_PROJECT` | `project` |
 * | `VERTEX_REGION`, else `GOOGLE_CLOUD_LOCATION` (default global) | `region` |
 * | `GOOGLE_APPLICATION_CREDENTIALS` (a service account key file) | `credentials`; without it, Application Default Credentials |
 * | `VERTEX_API_KEY`, else `GOOGLE_API_KEY` unless `VERTEX_PROJECT_ID` or `GOOGLE_APPLICATION_CREDENTIALS` is set | `apiKey`: Gemini models then go to the Gemini API |
 * | `VERTEX_FAMILY` (claude or gemini; default gemini with only a key, else claude) | `family`: which models Claude names map to |
 * | `VERTEX_MODEL` (default claude-sonnet-4-6 for the claude family, gemini-3.8-flash for gemini) | the default model |
 *
 * It switches itself on with `VERTEX_PROJECT_ID`, `VERTEX_API_KEY` or
 * `GOOGLE_API_KEY`: `GOOGLE_CLOUD_PROJECT` alone is too often set for other
 * tools to mean "use Vertex".
 */
import { LynkrError } from '../../kernel/errors.js';
import type { Env } from '../env.js';
import type { EnvProvider } from './types.js';

/** The variable's value, trimmed; undefined when unset or blank. */
function filled(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

const project = (env: Env) => filled(env.VERTEX_PROJECT_ID) ?? filled(env.GOOGLE_CLOUD_PROJECT);

/** Whether the environment asks for Vertex itself: a Vertex project, or a service account key. */
const wantsVertex = (env: Env) => filled(env.VERTEX_PROJECT_ID) !== undefined || filled(env.GOOGLE_APPLICATION_CREDENTIALS) !== undefined;

/**
 * A Gemini API key. GOOGLE_API_KEY is Google's generic variable: when the
 * environment asks for Vertex it is left alone, so that Gemini goes through
 * Vertex like everything else.
 */
const apiKey = (env: Env) => filled(env.VERTEX_API_KEY) ?? (wantsVertex(env) ? undefined : filled(env.GOOGLE_API_KEY));

/** Which family Claude names map to: as configured, else Gemini when only a key is set (Claude needs Vertex). */
function family(env: Env): 'claude' | 'gemini' {
  const value = filled(env.VERTEX_FAMILY)?.toLowerCase();
  if (value === 'claude' || value === 'gemini') return value;
  if (value !== undefined) throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', `VERTEX_FAMILY=${value} is not claude or gemini`);
  return apiKey(env) !== undefined && !wantsVertex(env) ? 'gemini' : 'claude';
}

export const vertex: EnvProvider = {
  id: 'vertex',
  plugin: 'provider-vertex',
  on: (env: Env) => (filled(env.VERTEX_PROJECT_ID) ?? filled(env.VERTEX_API_KEY) ?? filled(env.GOOGLE_API_KEY)) !== undefined,
  options(env: Env) {
    const options: Record<string, unknown> = { family: family(env) };
    const id = project(env);
    if (id !== undefined) options.project = id;
    const region = filled(env.VERTEX_REGION) ?? filled(env.GOOGLE_CLOUD_LOCATION);
    if (region !== undefined) options.region = region;
    const credentials = filled(env.GOOGLE_APPLICATION_CREDENTIALS);
    if (credentials !== undefined) options.credentials = credentials;
    const key = apiKey(env);
    if (key !== undefined) options.apiKey = key;
    return options;
  },
  model: (env: Env) => filled(env.VERTEX_MODEL) ?? (family(env) === 'claude' ? 'claude-sonnet-4-6' : 'gemini-3.8-flash'),
};
