import { LynkrError } from '../errors.js';
import { STAGES, type HookOptions, type StageHandlers, type StageName } from './types.js';

/** A registered handler with what orders it and whom it belongs to. */
export interface Registration<S extends StageName = StageName> {
  readonly stage: S;
  readonly handler: StageHandlers[S];
  readonly plugin: string;
  readonly order: 'pre' | 'normal' | 'post';
  /** The plugin's position in the config, then the registration's within the plugin. */
  readonly rank: number;
  readonly seq: number;
  /** Set for a team variant: the handler serves only that team. */
  readonly team: string | undefined;
}

/** The handlers of every stage for one team, in run order. */
export type CompiledStages = { readonly [S in StageName]: ReadonlyArray<Registration<S>> };

const ORDER_RANK = { pre: 0, normal: 1, post: 2 } as const;

/**
 * Holds every hook registration and compiles, per team, the ordered handler
 * lists the runner walks. Compilation happens once per team and again only
 * when a registration changes, never per request.
 */
export class HookBus {
  readonly #registrations: Registration[] = [];
  readonly #compiled = new Map<string, CompiledStages>();
  readonly #ranks = new Map<string, number>();
  /** Per team: plugins it disables, and plugins it re-instantiated with its own options. */
  readonly #teams = new Map<string, { disabled: ReadonlySet<string>; overridden: ReadonlySet<string> }>();
  #seq = 0;

  /** Fix the plugins' config order, which orders their handlers. */
  setRanks(pluginsInOrder: readonly string[]): void {
    pluginsInOrder.forEach((name, i) => this.#ranks.set(name, i));
    this.#compiled.clear();
  }

  defineTeam(team: string, disabled: ReadonlySet<string>, overridden: ReadonlySet<string>): void {
    this.#teams.set(team, { disabled, overridden });
    this.#compiled.clear();
  }

  on<S extends StageName>(plugin: string, stage: S, handler: StageHandlers[S], options: HookOptions = {}, team?: string): () => void {
    if (!STAGES.includes(stage)) {
      throw new LynkrError('LYNKR_ERR_PLUGIN_SETUP', `plugin "${plugin}" hooks unknown stage "${String(stage)}" (stages: ${STAGES.join(', ')})`, {
        plugin,
      });
    }
    const valid = typeof handler === 'function' || (stage === 'toolExec' && typeof handler === 'object' && handler !== null);
    if (!valid) {
      throw new LynkrError('LYNKR_ERR_PLUGIN_SETUP', `plugin "${plugin}" registered a ${stage} handler that is not a function`, { plugin });
    }
    if (options.order !== undefined && options.order !== 'pre' && options.order !== 'post') {
      throw new LynkrError('LYNKR_ERR_PLUGIN_SETUP', `plugin "${plugin}": order must be 'pre' or 'post', got ${JSON.stringify(options.order)}`, {
        plugin,
      });
    }
    const registration: Registration<S> = {
      stage,
      handler,
      plugin,
      order: options.order ?? 'normal',
      rank: this.#ranks.get(plugin) ?? Number.MAX_SAFE_INTEGER,
      seq: this.#seq++,
      team,
    };
    this.#registrations.push(registration as unknown as Registration);
    this.#compiled.clear();
    return () => {
      const at = this.#registrations.indexOf(registration as unknown as Registration);
      if (at !== -1) {
        this.#registrations.splice(at, 1);
        this.#compiled.clear();
      }
    };
  }

  /** The ordered handlers for a team (or the default set when `team` is undefined). */
  stages(team: string | undefined): CompiledStages {
    const key = team ?? '';
    let compiled = this.#compiled.get(key);
    if (!compiled) {
      compiled = this.#compile(team);
      this.#compiled.set(key, compiled);
    }
    return compiled;
  }

  #compile(team: string | undefined): CompiledStages {
    const scope = team === undefined ? undefined : this.#teams.get(team);
    const applies = (r: Registration): boolean => {
      if (!scope) return r.team === undefined;
      if (scope.disabled.has(r.plugin)) return false;
      // A plugin the team re-instantiated serves the team with its variant's handlers only.
      return scope.overridden.has(r.plugin) ? r.team === team : r.team === undefined;
    };
    const sorted = this.#registrations
      .filter(applies)
      .map((r) => ({ ...r, rank: this.#ranks.get(r.plugin) ?? r.rank }))
      .sort((a, b) => ORDER_RANK[a.order] - ORDER_RANK[b.order] || a.rank - b.rank || a.seq - b.seq);
    const out = Object.fromEntries(STAGES.map((s) => [s, Object.freeze(sorted.filter((r) => r.stage === s))]));
    return Object.freeze(out) as unknown as CompiledStages;
  }
}
