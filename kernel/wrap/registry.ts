import { LynkrError } from '../errors.js';
import type { WrapRegistry, WrapTarget } from './types.js';

/** Every wrap target, by the name used on the command line. */
export class Wraps {
  readonly #targets = new Map<string, { target: WrapTarget; plugin: string }>();

  registryFor(plugin: string): WrapRegistry {
    return {
      register: (target) => {
        if (!target || typeof target.name !== 'string' || typeof target.prepare !== 'function') {
          throw new LynkrError('LYNKR_ERR_PLUGIN_SETUP', `plugin "${plugin}" registered a wrap target without a name or prepare()`, { plugin });
        }
        // The name is typed on the command line and becomes LYNKR_WRAP_<NAME>_BIN.
        if (!/^[a-z][a-z0-9-]*$/.test(target.name)) {
          throw new LynkrError('LYNKR_ERR_PLUGIN_SETUP', `plugin "${plugin}" registered wrap target "${target.name}": the name must be lower-case letters, digits and dashes`, { plugin });
        }
        if (!Array.isArray(target.binaries) || !target.binaries.length || target.binaries.some((b) => typeof b !== 'string' || !b)) {
          throw new LynkrError('LYNKR_ERR_PLUGIN_SETUP', `plugin "${plugin}" registered wrap target "${target.name}" without binaries to look for`, { plugin });
        }
        const existing = this.#targets.get(target.name);
        if (existing) {
          throw new LynkrError('LYNKR_ERR_PLUGIN_SETUP', `wrap target "${target.name}" is registered by both "${existing.plugin}" and "${plugin}"`, { plugin });
        }
        this.#targets.set(target.name, { target, plugin });
      },
      get: (name) => this.get(name),
      list: () => this.list(),
    };
  }

  get(name: string): WrapTarget | undefined {
    return this.#targets.get(name)?.target;
  }

  list(): WrapTarget[] {
    return [...this.#targets.values()].map((t) => t.target);
  }
}
