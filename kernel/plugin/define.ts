import type { Static, TObject, TSchema } from '../util/typebox.js';
import type { PluginContext } from './context.js';

/** Kept global so a plugin built against another copy of the kernel is still recognised. */
const BRAND = Symbol.for('lynkr.plugin');

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** What `setup` may return. @public */
export interface PluginLifecycle {
  /** Runs after every plugin's setup, in order; `/health/ready` answers 200 once all resolved. */
  ready?(): void | Promise<void>;
  /** Runs on shutdown, in reverse order. */
  close?(): void | Promise<void>;
}

/** @public */
export interface PluginDefinition<S extends TObject = TObject> {
  /** kebab-case; equals the folder name and the npm suffix (`lynkr-plugin-<name>`). */
  name: string;
  /** The plugin's own semver version. */
  version: string;
  /** The kernel versions it works with, a semver range such as `^1`. */
  kernel: string;
  /** One line for `lynkr plugins`. */
  description?: string;
  /** Plugins that must set up first. */
  dependsOn?: readonly string[];
  /** TypeBox schema of the options, with defaults. */
  options?: S;
  /**
   * Declares hooks, services, providers, routes and wrap targets. Opens no
   * sockets and starts no timers: that belongs in `ready`.
   */
  setup(ctx: PluginContext, options: Static<S>): void | PluginLifecycle | Promise<void | PluginLifecycle>;
}

/** Options as a caller writes them: every key optional where the schema has a default. @public */
export type PluginOptionsInput<S extends TObject> = Partial<Static<S>>;

/**
 * A plugin with its options, as placed in `plugins: [...]`.
 * @public
 */
export interface PluginInstance {
  readonly [BRAND]: 'instance';
  readonly definition: PluginDefinition;
  /** Options as given, validated and defaulted at boot. */
  readonly options: Record<string, unknown> | undefined;
}

/**
 * What `definePlugin` returns: call it with options to place the plugin in a
 * config; it also carries the definition for the loader.
 * @public
 */
export interface PluginFactory<S extends TObject = TObject> {
  (options?: PluginOptionsInput<S>): PluginInstance;
  readonly [BRAND]: 'factory';
  readonly pluginName: string;
  readonly definition: PluginDefinition<S>;
}

/**
 * Define a plugin. The result is a factory: `myPlugin({ ...options })` goes in
 * a config's `plugins`, and a package's default export is the factory itself.
 * @public
 */
export function definePlugin<S extends TObject = TObject>(definition: PluginDefinition<S>): PluginFactory<S> {
  if (!KEBAB.test(definition.name)) {
    throw new TypeError(`definePlugin: name "${definition.name}" must be kebab-case (a-z, 0-9, dashes)`);
  }
  if (typeof definition.setup !== 'function') {
    throw new TypeError(`definePlugin: plugin "${definition.name}" has no setup function`);
  }
  const factory = ((options?: PluginOptionsInput<S>): PluginInstance => ({
    [BRAND]: 'instance',
    definition: definition as unknown as PluginDefinition,
    options: options as Record<string, unknown> | undefined,
  })) as PluginFactory<S>;
  Object.defineProperties(factory, {
    [BRAND]: { value: 'factory' },
    pluginName: { value: definition.name },
    definition: { value: Object.freeze({ ...definition }) },
  });
  return factory;
}

/** @internal */
export function isPluginFactory(value: unknown): value is PluginFactory {
  return typeof value === 'function' && (value as PluginFactory)[BRAND] === 'factory';
}

/** @internal */
export function isPluginInstance(value: unknown): value is PluginInstance {
  return typeof value === 'object' && value !== null && (value as PluginInstance)[BRAND] === 'instance';
}

/** @internal */
export function isKebabCase(name: string): boolean {
  return KEBAB.test(name);
}

export type { TSchema };
