// awilix's build without `loadModules` (the same container, asFunction and injection modes): its
// Node build loads fast-glob at startup for module auto-loading, which Lynkr never uses (plugins are
// found by the loader), some 70 modules and about 9 MB resident.
import { asFunction, createContainer, InjectionMode, type AwilixContainer } from 'awilix/browser';
import { LynkrError } from '../errors.js';
import type { ServiceRegistry } from './context.js';

/**
 * A typed handle on a service in the kernel's container. The owning plugin
 * exports it from its `refs.ts`; others resolve it through `ctx.services`.
 * @public
 */
export interface ServiceRef<T> {
  /** `'<plugin>.<service>'`. */
  readonly id: string;
  /** Carries the type only; never set. */
  readonly __type?: T;
}

const SERVICE_ID = /^[a-z][a-z0-9-]*\.[a-zA-Z][a-zA-Z0-9-]*$/;

/** @public */
export function createServiceRef<T>(options: { id: string }): ServiceRef<T> {
  if (!SERVICE_ID.test(options.id)) {
    throw new TypeError(`createServiceRef: id "${options.id}" must look like "<plugin>.<service>"`);
  }
  return Object.freeze({ id: options.id });
}

/**
 * The kernel's service container: awilix in strict mode, singletons created
 * on first resolve. Plugins only see `provide`/`resolve` through their
 * context, never the container.
 */
export class Services {
  readonly #container: AwilixContainer = createContainer({ injectionMode: InjectionMode.CLASSIC, strict: true });
  readonly #owners = new Map<string, string>();

  registryFor(plugin: string, variant: boolean): ServiceRegistry {
    return {
      provide: (ref, factory) => {
        // A team variant of a plugin shares the services its default instance provides.
        if (variant) return;
        const owner = this.#owners.get(ref.id);
        if (owner) {
          throw new LynkrError('LYNKR_ERR_SERVICE_DUPLICATE', `service "${ref.id}" is provided by both "${owner}" and "${plugin}"`, { plugin });
        }
        if (typeof factory !== 'function') {
          throw new LynkrError('LYNKR_ERR_PLUGIN_SETUP', `plugin "${plugin}" provided service "${ref.id}" without a factory function`, { plugin });
        }
        this.#owners.set(ref.id, plugin);
        this.#container.register(ref.id, asFunction(() => factory()).singleton());
      },
      resolve: (ref) => {
        if (!this.#owners.has(ref.id)) {
          throw new LynkrError(
            'LYNKR_ERR_SERVICE_NOT_FOUND',
            `plugin "${plugin}" needs service "${ref.id}", which no enabled plugin provides (add its plugin, and list it in "${plugin}".dependsOn)`,
            { plugin },
          );
        }
        return this.#container.resolve(ref.id);
      },
      tryResolve: (ref) => (this.#owners.has(ref.id) ? this.#container.resolve(ref.id) : undefined),
    };
  }

  /** Which plugin provides each service, for `lynkr plugins`. */
  owners(): ReadonlyMap<string, string> {
    return this.#owners;
  }

  dispose(): Promise<void> {
    return this.#container.dispose();
  }
}
