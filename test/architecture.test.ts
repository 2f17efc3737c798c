import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'lynkr/boundaries').map((m) => m.message);
}

describe('import boundaries (eslint lynkr/boundaries)', () => {
  it('keeps the kernel from importing plugins/', async () => {
    expect(await boundaryErrors('kernel/pipeline/x.ts', `export { x } from '../../plugins/router-tiers/index.js';\n`)).toEqual([
      'The kernel must not import from plugins/ ("../../plugins/router-tiers/index.js"): expose what is shared through the kernel API or a service ref.',
    ]);
  });

  it('keeps a plugin out of another plugin\'s folder, and lets it use its own', async () => {
    expect(await boundaryErrors('plugins/badge/strip.ts', `import { score } from '../router-tiers/scorer.js';\nexport const s = score;\n`)).toEqual([
      'Plugin "badge" must not import from plugin "router-tiers"\'s folder ("../router-tiers/scorer.js"): import its refs.ts and resolve the service instead.',
    ]);
    expect(await boundaryErrors('plugins/badge/strip.ts', `import { scorerRef } from '../router-tiers/refs.js';\nexport const s = scorerRef;\n`)).toEqual([]);
    expect(await boundaryErrors('plugins/badge/sub/strip.ts', `import { a } from '../refs.js';\nimport { b } from './c.js';\nimport { definePlugin } from '../../../kernel/index.js';\nexport const s = [a, b, definePlugin];\n`)).toEqual([]);
  });
});
