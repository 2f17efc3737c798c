import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function readVersion(): string {
  // package.json sits two levels up both in the source tree (kernel/) and in the build (dist/kernel/).
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lynkr' && pkg.version) return pkg.version;
    } catch {
      // not here: keep walking up
    }
    dir = path.dirname(dir);
  }
  return '0.0.0';
}

/** The package's version (`lynkr --version`). @public */
export const LYNKR_VERSION: string = readVersion();

/**
 * The version of the plugin contract, which plugins' `kernel` ranges are
 * checked against. It moves only when the contract changes: a major for a
 * breaking change to `definePlugin`, the context or the stages.
 * @public
 */
export const KERNEL_VERSION = '1.0.0';
