/**
 * Replaces the build's `dist/kernel/util/typebox.js` with one bundle of the
 * TypeBox parts that kernel/util/typebox.ts exports (see that file for why).
 * `npm run build` runs it after tsc:
 *   node dist/scripts/bundle-typebox.js [--outfile FILE]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

/** The repository: the nearest folder above this file (in scripts/ or dist/scripts/) with a package.json. */
let root = path.dirname(fileURLToPath(import.meta.url));
while (!existsSync(path.join(root, 'package.json'))) root = path.dirname(root);
/** The module to bundle: the source, so the bundle exports exactly what it declares. */
const ENTRY = path.join(root, 'kernel', 'util', 'typebox.ts');
/** Where tsc put that module's output. */
export const BUILT = path.join(root, 'dist', 'kernel', 'util', 'typebox.js');

/** Writes the bundle (and its source map) to `outfile`; resolves to its size in bytes. */
export async function bundleTypebox(outfile: string = BUILT, entry: string = ENTRY): Promise<number> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    allowOverwrite: true,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
  return Object.values(result.metafile.outputs).reduce((n, o) => (o.entryPoint ? n + o.bytes : n), 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseArgs({ options: { outfile: { type: 'string', default: BUILT } } });
  const bytes = await bundleTypebox(values.outfile);
  process.stdout.write(`typebox bundled: ${path.relative(process.cwd(), values.outfile)} (${Math.round(bytes / 1024)} KB)\n`);
}
