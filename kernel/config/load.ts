import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFromEnv, envOverrides, type Env } from '../../config/env.js';
import { LynkrError } from '../errors.js';
import { formatIssues, validate } from '../util/validate.js';
import { pluginEntryName } from '../loader/names.js';
import {
  ConfigSchema,
  type LynkrConfig,
  type PluginEntry,
  type ResolvedConfig,
  type SourcedPluginEntry,
  type TeamConfig,
} from './schema.js';

/** The file names looked for in the working folder, in order. */
export const CONFIG_FILES = ['lynkr.config.ts', 'lynkr.config.mts', 'lynkr.config.js', 'lynkr.config.mjs'];

/** @public */
export interface LoadOptions {
  /** The folder to look for `lynkr.config.ts` and `.env` in (default: the process's). */
  cwd?: string;
  /** An explicit config file; it must exist. */
  configFile?: string;
  /** The environment (default `process.env`); `.env` fills what it lacks. */
  env?: Record<string, string | undefined>;
  /** Command-line overrides, strongest of all. */
  overrides?: { port?: number; host?: string; allowUnauthenticated?: boolean };
}

/** A config layer with the folder its plugin names resolve from. */
interface Layer {
  config: LynkrConfig;
  from: string;
}

/** Where `import ... from 'lynkr'` in a config file resolves: this very kernel. */
function kernelEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const js = path.join(here, '..', 'index.js');
  return existsSync(js) ? js : path.join(here, '..', 'index.ts');
}

function findConfigFile(cwd: string): string | undefined {
  for (const name of CONFIG_FILES) {
    const file = path.join(cwd, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

async function loadLayers(configFile: string): Promise<Layer[]> {
  const cwd = path.dirname(configFile);
  // Loaded here, not at import: c12 and its loaders are a large part of a process that embeds the kernel with an inline config.
  const { loadConfig: c12Load } = await import('c12');
  try {
    const result = await c12Load<LynkrConfig & Record<string, unknown>>({
      cwd,
      configFile: path.basename(configFile).replace(/\.(c|m)?[jt]s$/, ''),
      rcFile: false,
      globalRc: false,
      packageJson: false,
      dotenv: false,
      envName: false,
      // Remote sources would mean network calls at boot: extends takes local files only.
      giget: false,
      // Layers are merged below with Lynkr's own rules; c12 only collects them.
      merger: (...sources) => (sources.find((s) => s && Object.keys(s).length) ?? {}) as LynkrConfig & Record<string, unknown>,
      jitiOptions: { alias: { lynkr: kernelEntry() }, interopDefault: true, moduleCache: false, fsCache: false },
    });
    const layers = (result.layers ?? []).filter((l) => l.config && l.configFile !== undefined && l.cwd);
    if (!layers.length) throw new Error(`${configFile} exports no config (use \`export default defineConfig({...})\`)`);
    // c12 lists the main file first and its bases after; Lynkr applies bases first.
    return layers.reverse().map((l) => ({ config: l.config as LynkrConfig, from: l.cwd! }));
  } catch (error) {
    if (error instanceof LynkrError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new LynkrError('LYNKR_ERR_CONFIG_LOAD', `cannot load ${configFile}: ${message}`, { cause: error });
  }
}

function mergeOptions(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined) {
  return a && b ? { ...a, ...b } : (b ?? a);
}

function entryOptions(entry: PluginEntry): Record<string, unknown> | undefined {
  if (Array.isArray(entry)) return entry[1] as Record<string, unknown> | undefined;
  if (typeof entry === 'object' && entry !== null && 'options' in entry) return entry.options ?? undefined;
  return undefined;
}

/**
 * Merge plugin lists by plugin name: a later layer that names a plugin again
 * replaces the entry and layers its options over the earlier ones; new names
 * are appended in order.
 */
function mergePlugins(into: SourcedPluginEntry[], entries: readonly PluginEntry[], from: string, where: string): void {
  entries.forEach((entry, index) => {
    const name = pluginEntryName(entry, `${where}plugins[${index}]`);
    const at = into.findIndex((e) => pluginEntryName(e.entry, '') === name);
    if (at === -1) {
      into.push({ entry, from });
      return;
    }
    const options = mergeOptions(entryOptions(into[at]!.entry), entryOptions(entry));
    const merged: PluginEntry = typeof entry === 'string' || Array.isArray(entry) ? [Array.isArray(entry) ? entry[0] : entry, options ?? {}] : entry;
    into[at] = { entry: merged, from };
  });
}

/** Union of two lists; a value that is not a list is kept as it is, for the schema to name. */
function union<T>(a: T[] | undefined, b: T[] | undefined): T[] {
  if (b !== undefined && !Array.isArray(b)) return b;
  if (a !== undefined && !Array.isArray(a)) return a;
  return [...new Set([...(a ?? []), ...(b ?? [])])];
}

function mergeTeams(into: Record<string, TeamConfig>, teams: Record<string, TeamConfig> | undefined): void {
  for (const [name, team] of Object.entries(teams ?? {})) {
    const prev = into[name] ?? {};
    const options = { ...prev.options };
    for (const [plugin, opts] of Object.entries(team.options ?? {})) options[plugin] = { ...options[plugin], ...opts };
    into[name] = {
      keys: union(prev.keys, team.keys),
      disable: union(prev.disable, team.disable),
      options,
    };
  }
}

function mergeLayers(layers: Layer[]): { raw: LynkrConfig; plugins: SourcedPluginEntry[] } {
  const raw: LynkrConfig = {};
  const plugins: SourcedPluginEntry[] = [];
  const teams: Record<string, TeamConfig> = {};
  const disable = new Set<string>();
  const keys = new Set<string>();
  layers.forEach((layer, i) => {
    const c = layer.config;
    if (typeof c !== 'object' || c === null) {
      throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', 'the config must be an object (export default defineConfig({...}))');
    }
    if (c.server) raw.server = { ...raw.server, ...c.server };
    if (c.log) raw.log = { ...raw.log, ...c.log };
    if (c.storage !== undefined) raw.storage = c.storage;
    if (c.plugins !== undefined) {
      if (!Array.isArray(c.plugins)) throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', 'plugins: Expected array');
      mergePlugins(plugins, c.plugins, layer.from, layers.length > 1 && i < layers.length - 1 ? `(base ${i + 1}) ` : '');
    }
    for (const d of c.disable ?? []) disable.add(d);
    for (const k of c.keys ?? []) keys.add(k);
    mergeTeams(teams, c.teams);
    // Anything unknown is kept so the schema can name it.
    for (const [key, value] of Object.entries(c)) {
      if (!['server', 'log', 'storage', 'plugins', 'disable', 'keys', 'teams', 'extends'].includes(key)) {
        (raw as Record<string, unknown>)[key] = value;
      }
    }
  });
  raw.disable = [...disable];
  raw.keys = [...keys];
  raw.teams = teams;
  return { raw, plugins };
}

/**
 * Validate a merged config and build the resolved form. Exported for
 * embedding Lynkr with an inline config (tests, `createKernel`).
 * @public
 */
export function resolveConfig(
  config: LynkrConfig,
  meta: { cwd: string; configFile?: string; source: ResolvedConfig['source']; env?: Env },
): ResolvedConfig {
  const env = meta.env ?? process.env;
  return finish(mergeLayers([{ config, from: meta.cwd }, { config: envOverrides(env), from: meta.cwd }]), meta);
}

function finish(
  merged: { raw: LynkrConfig; plugins: SourcedPluginEntry[] },
  meta: { cwd: string; configFile?: string; source: ResolvedConfig['source'] },
): ResolvedConfig {
  const { plugins: _plugins, ...rest } = merged.raw;
  const result = validate(ConfigSchema, { ...rest, plugins: [] });
  if (!result.ok) {
    const where = meta.configFile ? ` in ${meta.configFile}` : '';
    throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', `invalid config${where}: ${formatIssues(result.issues)}`, {
      detail: { issues: result.issues },
    });
  }
  const { extends: _extends, plugins: _none, ...valid } = result.value;
  return Object.freeze({
    ...valid,
    plugins: Object.freeze(merged.plugins),
    configFile: meta.configFile,
    cwd: meta.cwd,
    source: meta.source,
  });
}

/**
 * Load the effective config: `--config FILE`, else `lynkr.config.ts` in the
 * working folder, else the environment (with `.env`). The environment's
 * `PORT`, `HOST`, `LOG_LEVEL`, `LYNKR_STORAGE` and `LYNKR_KEYS` override the
 * file; command-line flags override both.
 * @public
 */
export async function loadConfig(options: LoadOptions = {}): Promise<ResolvedConfig> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const { setupDotenv } = await import('c12');
  await setupDotenv({ cwd, env: env as Record<string, string> });

  let configFile: string | undefined;
  if (options.configFile) {
    configFile = path.resolve(cwd, options.configFile);
    if (!statSync(configFile, { throwIfNoEntry: false })?.isFile()) {
      throw new LynkrError('LYNKR_ERR_CONFIG_NOT_FOUND', `config file not found: ${configFile}`);
    }
  } else {
    configFile = findConfigFile(cwd);
  }

  const layers: Layer[] = configFile ? await loadLayers(configFile) : [{ config: configFromEnv(env), from: cwd }];
  layers.push({ config: envOverrides(env), from: cwd });
  const cli: LynkrConfig = {};
  if (options.overrides?.port !== undefined) cli.server = { port: options.overrides.port };
  if (options.overrides?.host !== undefined) cli.server = { ...cli.server, host: options.overrides.host };
  if (options.overrides?.allowUnauthenticated) cli.server = { ...cli.server, allowUnauthenticated: true };
  layers.push({ config: cli, from: cwd });

  return finish(mergeLayers(layers), {
    cwd: configFile ? path.dirname(configFile) : cwd,
    configFile,
    source: configFile ? 'file' : 'env',
  });
}
