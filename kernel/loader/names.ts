import { LynkrError } from '../errors.js';
import { isPluginFactory, isPluginInstance } from '../plugin/define.js';
import type { PluginEntry } from '../config/schema.js';

const PACKAGE = /^(?:(@[a-z0-9][\w.-]*)\/)?lynkr-plugin-([a-z][a-z0-9-]*)$/;

/**
 * The npm package a plugin name refers to: `foo` → `lynkr-plugin-foo`;
 * `lynkr-plugin-foo` and `@scope/lynkr-plugin-foo` are kept as they are.
 */
export function packageNameOf(name: string): string {
  return PACKAGE.test(name) ? name : `lynkr-plugin-${name}`;
}

/** The plugin name a string refers to: `@acme/lynkr-plugin-audit` → `audit`. */
export function pluginNameOf(spec: string): string {
  return PACKAGE.exec(spec)?.[2] ?? spec;
}

/** The plugin name of a config entry, or a config error naming where it is. */
export function pluginEntryName(entry: PluginEntry, where: string): string {
  if (typeof entry === 'string') return pluginNameOf(entry);
  if (Array.isArray(entry) && typeof entry[0] === 'string') return pluginNameOf(entry[0]);
  if (isPluginInstance(entry) || isPluginFactory(entry)) return entry.definition.name;
  throw new LynkrError(
    'LYNKR_ERR_CONFIG_INVALID',
    `${where}: Expected a plugin name, [name, options], or a plugin made by definePlugin`,
  );
}
