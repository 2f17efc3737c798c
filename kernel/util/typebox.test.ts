import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Type as PackageType } from 'typebox';
import { bundleTypebox } from '../../scripts/bundle-typebox.js';
import * as source from './typebox.js';

// The build replaces typebox.js with this bundle: it must be the same module, self-contained.
describe('the bundled TypeBox door (npm run build)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lynkr-typebox-'));
  const file = path.join(dir, 'typebox.mjs');
  let bundled: typeof source;

  beforeAll(async () => {
    await bundleTypebox(file);
    bundled = (await import(pathToFileURL(file).href)) as typeof source;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exports what kernel/util/typebox.ts exports, and imports no package', () => {
    expect(Object.keys(bundled).sort()).toEqual(Object.keys(source).sort());
    expect(Object.keys(bundled).sort()).toEqual(['Compile', 'Type', 'Value']);
    expect(readFileSync(file, 'utf8')).not.toMatch(/(?:from\s*|import\s*\(|require\s*\()\s*["']typebox/);
  });

  it('validates as the package does, schemas from the package included', () => {
    const own = bundled.Type.Object({ name: bundled.Type.String({ minLength: 1 }), n: bundled.Type.Optional(bundled.Type.Integer()) });
    // A plugin's own TypeBox copy: plain JSON Schema, read by its keywords.
    const plugins = PackageType.Object({ name: PackageType.String({ minLength: 1 }), n: PackageType.Optional(PackageType.Integer()) });
    for (const schema of [own, plugins]) {
      const check = bundled.Compile(schema);
      expect(check.Check({ name: 'a', n: 2 })).toBe(true);
      expect(check.Check({ name: '' })).toBe(false);
      expect(check.Errors({ name: 'a', n: 1.5 }).map((e) => [e.instancePath, e.keyword])).toEqual([['/n', 'type']]);
      expect(bundled.Value.Check(schema, { name: 'b' })).toBe(true);
      expect(bundled.Value.Check(schema, { n: 1 })).toBe(false);
    }
  });
});
