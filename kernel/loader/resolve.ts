import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LynkrError } from '../errors.js';
import { isPluginFactory, isPluginInstance, type PluginDefinition } from '../plugin/define.js';
import type { SourcedPluginEntry } from '../config/schema.js';
import { packageNameOf, pluginEntryName, pluginNameOf } from './names.js';

/** A config entry turned into a definition, with where it came from. */
export interface ResolvedEntry {
  name: string;
  definition: PluginDefinition;
  /** Options as written in the config (validated later). */
  options: Record<string, unknown> | undefined;
  /** `builtin`, `inline`, or `<package>@<version>`. */
  source: string;
  /** `plugins[i]` in the merged config, for error messages. */
  where: string;
}

/** The folder of built-in plugins: `plugins/` beside `kernel/` (in the source tree and in `dist/`). */
const BUILTIN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'plugins');

function builtinModule(name: string): string | undefined {
  for (const file of ['index.js', 'index.ts']) {
    const candidate = path.join(BUILTIN_DIR, name, file);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The names of the built-in plugins shipped with this kernel. */
export function builtinNames(): string[] {
  if (!existsSync(BUILTIN_DIR)) return [];
  return readdirSync(BUILTIN_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && builtinModule(d.name) !== undefined)
    .map((d) => d.name)
    .sort();
}


interface PackageJson {
  name?: string;
  version?: string;
  exports?: unknown;
  module?: string;
  main?: string;
}

/** The ESM entry of a package: `exports['.']` (import/node/default), then `module`, then `main`. */
function packageEntry(pkg: PackageJson): string {
  const pick = (target: unknown): string | undefined => {
    if (typeof target === 'string') return target;
    if (Array.isArray(target)) return target.map(pick).find(Boolean);
    if (target && typeof target === 'object') {
      const t = target as Record<string, unknown>;
      if ('.' in t) return pick(t['.']);
      for (const condition of ['import', 'node', 'default']) if (condition in t) return pick(t[condition]);
    }
    return undefined;
  };
  return pick(pkg.exports) ?? pkg.module ?? pkg.main ?? 'index.js';
}

/**
 * Find an installed package from a folder the way Node does: the nearest
 * `node_modules/<name>` walking up. No scanning: the name is exact.
 */
function findPackage(name: string, from: string): { dir: string; pkg: PackageJson } | undefined {
  let dir = path.resolve(from);
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    const manifest = path.join(candidate, 'package.json');
    if (existsSync(manifest)) {
      return { dir: candidate, pkg: JSON.parse(readFileSync(manifest, 'utf8')) as PackageJson };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function definitionFrom(mod: Record<string, unknown>, where: string, module: string): PluginDefinition {
  const candidates = [mod.default, ...Object.values(mod)];
  for (const value of candidates) {
    if (isPluginFactory(value) || isPluginInstance(value)) return value.definition;
  }
  throw new LynkrError(
    'LYNKR_ERR_PLUGIN_INVALID',
    `${where}: ${module} does not export a plugin made by definePlugin (export default definePlugin({...}))`,
  );
}

async function importFile(file: string, where: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new LynkrError('LYNKR_ERR_PLUGIN_INVALID', `${where}: cannot import ${file}: ${message}`, { cause: error });
  }
}

async function resolveByName(spec: string, from: string, where: string): Promise<Omit<ResolvedEntry, 'options' | 'where'>> {
  const name = pluginNameOf(spec);
  const builtin = spec === name ? builtinModule(name) : undefined;
  if (builtin) {
    return { name, definition: definitionFrom(await importFile(builtin, where), where, `built-in plugin "${name}"`), source: 'builtin' };
  }
  const packageName = packageNameOf(spec);
  const found = findPackage(packageName, from);
  if (!found) {
    throw new LynkrError(
      'LYNKR_ERR_PLUGIN_NOT_FOUND',
      `${where}: unknown plugin "${spec}": not built in, and no package ${packageName} installed in ${from} or above (npm install ${packageName})`,
    );
  }
  const definition = definitionFrom(await importFile(path.join(found.dir, packageEntry(found.pkg)), where), where, packageName);
  if (definition.name !== name) {
    throw new LynkrError(
      'LYNKR_ERR_PLUGIN_INVALID',
      `${where}: package ${packageName} defines plugin "${definition.name}", expected "${name}" (the name must equal the package suffix)`,
    );
  }
  return { name, definition, source: `${packageName}@${found.pkg.version ?? '0.0.0'}` };
}

/**
 * Resolve every config entry to a plugin definition. One at a time, on
 * purpose: imports in parallel save nothing measurable at boot, and
 * sequential resolution keeps errors in config order (and sidesteps module
 * loaders, jest's among them, that race on a shared dependency).
 */
export async function resolveEntries(entries: readonly SourcedPluginEntry[]): Promise<ResolvedEntry[]> {
  const resolved: ResolvedEntry[] = [];
  for (const [index, { entry, from }] of entries.entries()) {
    const where = `plugins[${index}]`;
    const name = pluginEntryName(entry, where);
    if (typeof entry === 'string' || Array.isArray(entry)) {
      const spec = typeof entry === 'string' ? entry : (entry[0] as string);
      const options = Array.isArray(entry) ? (entry[1] as Record<string, unknown> | undefined) : undefined;
      if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
        throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `plugin "${name}" (${where}): ${where}[1]: Expected object`);
      }
      resolved.push({ ...(await resolveByName(spec, from, where)), options, where });
    } else if (isPluginInstance(entry)) {
      resolved.push({ name, definition: entry.definition, options: entry.options, source: 'inline', where });
    } else {
      resolved.push({ name, definition: (entry as { definition: PluginDefinition }).definition, options: undefined, source: 'inline', where });
    }
  }
  return resolved;
}
