import { LynkrError } from '../errors.js';
import type { ProviderAdapter, ProviderRegistry } from './types.js';

interface Entry {
  adapter: ProviderAdapter;
  plugin: string;
}

/** How the runner finds a provider for a request's team. */
export interface ProviderLookup {
  lookup(id: string, team: string | undefined): Entry | undefined;
  ids(team: string | undefined): string[];
}

/**
 * Every provider adapter, by id. A team that re-instantiates a provider
 * plugin with its own options gets its adapters in an overlay that shadows
 * the default ones for its requests only.
 */
export class Providers implements ProviderLookup {
  readonly #base = new Map<string, Entry>();
  readonly #teams = new Map<string, Map<string, Entry>>();
  readonly #disabled = new Map<string, ReadonlySet<string>>();

  /** The registry handed to one plugin's setup. */
  registryFor(plugin: string, team?: string): ProviderRegistry {
    return {
      register: (adapter) => this.#register(adapter, plugin, team),
      get: (id) => this.lookup(id, team)?.adapter,
      list: () => this.list(team),
    };
  }

  /** Plugins a team disables: their providers are invisible to its requests. */
  disableForTeam(team: string, plugins: ReadonlySet<string>): void {
    this.#disabled.set(team, plugins);
  }

  lookup(id: string, team: string | undefined): Entry | undefined {
    if (team !== undefined) {
      const own = this.#teams.get(team)?.get(id);
      if (own) return own;
      const entry = this.#base.get(id);
      return entry && !this.#disabled.get(team)?.has(entry.plugin) ? entry : undefined;
    }
    return this.#base.get(id);
  }

  ids(team: string | undefined): string[] {
    return this.list(team).map((a) => a.id);
  }

  list(team?: string): ProviderAdapter[] {
    const ids = new Set([...this.#base.keys(), ...(team ? (this.#teams.get(team)?.keys() ?? []) : [])]);
    return [...ids].map((id) => this.lookup(id, team)?.adapter).filter((a): a is ProviderAdapter => a !== undefined);
  }

  #register(adapter: ProviderAdapter, plugin: string, team: string | undefined): void {
    if (!adapter || typeof adapter.id !== 'string' || !adapter.id || typeof adapter.invoke !== 'function') {
      throw new LynkrError('LYNKR_ERR_PLUGIN_SETUP', `plugin "${plugin}" registered a provider without an id or an invoke function`, { plugin });
    }
    const map = team === undefined ? this.#base : (this.#teams.get(team) ?? this.#teams.set(team, new Map()).get(team)!);
    const existing = map.get(adapter.id);
    if (existing) {
      throw new LynkrError(
        'LYNKR_ERR_PROVIDER_DUPLICATE',
        `provider "${adapter.id}" is registered by both "${existing.plugin}" and "${plugin}"`,
        { plugin },
      );
    }
    map.set(adapter.id, { adapter, plugin });
  }
}
