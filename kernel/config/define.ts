import type { LynkrConfig } from './schema.js';

/**
 * Type a `lynkr.config.ts`. An identity function: it only carries types.
 * @public
 */
export function defineConfig(config: LynkrConfig): LynkrConfig {
  return config;
}
