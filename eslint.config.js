// @ts-check
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * The architecture's import boundaries: the kernel never imports from
 * plugins/, and a plugin never reaches into another plugin's folder: plugins
 * share through the kernel's public API and through the service refs another
 * plugin exports from its `refs.ts`, the one file of it they may import.
 * @type {import('eslint').Rule.RuleModule}
 */
const boundaries = {
  meta: {
    type: 'problem',
    messages: {
      kernel: 'The kernel must not import from plugins/ ("{{spec}}"): expose what is shared through the kernel API or a service ref.',
      crossPlugin: 'Plugin "{{from}}" must not import from plugin "{{to}}"\'s folder ("{{spec}}"): import its refs.ts and resolve the service instead.',
    },
    schema: [],
  },
  create(context) {
    const file = path.relative(root, context.filename).split(path.sep);
    const area = file[0];
    const ownPlugin = area === 'plugins' ? file[1] : undefined;
    /** @param {any} node */
    const check = (node) => {
      const spec = node?.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path.relative(root, path.resolve(path.dirname(context.filename), spec)).split(path.sep);
      if (target[0] !== 'plugins') return;
      if (area === 'kernel') context.report({ node, messageId: 'kernel', data: { spec } });
      else if (ownPlugin && target.length > 2 && target[1] !== ownPlugin && !(target.length === 3 && /^refs\.[jt]s$/.test(target[2]))) {
        context.report({ node, messageId: 'crossPlugin', data: { spec, from: ownPlugin, to: target[1] } });
      }
    };
    return {
      ImportDeclaration: check,
      ImportExpression: check,
      ExportAllDeclaration: check,
      ExportNamedDeclaration: check,
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/fixtures/**', '.lynkr/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { lynkr: { rules: { boundaries } } },
    rules: {
      'lynkr/boundaries': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // What the gateway loads at run time decides its resident memory: these doors keep two heavy
    // module graphs out of it (the reasons are in kernel/util/typebox.ts and kernel/plugin/services.ts).
    files: ['kernel/**/*.ts', 'plugins/**/*.ts'],
    ignores: ['**/*.test.ts', 'kernel/util/typebox.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'awilix', message: "Import 'awilix/browser': the Node build loads fast-glob for loadModules, which Lynkr never uses." }],
          patterns: [{ regex: '^typebox(/|$)', message: "Import TypeBox from kernel/util/typebox.ts (plugins: from the kernel's public API), which the build bundles." }],
        },
      ],
    },
  },
);
