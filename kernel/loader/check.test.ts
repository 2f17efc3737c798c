import { describe, expect, it } from '@jest/globals';
import { Type } from 'typebox';
import { definePlugin, type PluginDefinition } from '../plugin/define.js';
import { checkEntries, orderByDependencies } from './check.js';
import type { ResolvedEntry } from './resolve.js';
import { packageNameOf, pluginNameOf } from './names.js';

const def = (name: string, extra: Partial<PluginDefinition> = {}): PluginDefinition =>
  definePlugin({ name, version: '1.0.0', kernel: '^1', setup() {}, ...extra }).definition as PluginDefinition;

const entry = (name: string, extra: Partial<PluginDefinition> = {}, options?: Record<string, unknown>, index = 0): ResolvedEntry => ({
  name,
  definition: def(name, extra),
  options,
  source: 'inline',
  where: `plugins[${index}]`,
});

const names = (list: Array<{ name: string }>) => list.map((p) => p.name);

describe('plugin names', () => {
  it('maps names to packages and back', () => {
    expect(packageNameOf('foo')).toBe('lynkr-plugin-foo');
    expect(packageNameOf('lynkr-plugin-foo')).toBe('lynkr-plugin-foo');
    expect(packageNameOf('@acme/lynkr-plugin-audit')).toBe('@acme/lynkr-plugin-audit');
    expect(pluginNameOf('@acme/lynkr-plugin-audit')).toBe('audit');
    expect(pluginNameOf('lynkr-plugin-foo')).toBe('foo');
    expect(pluginNameOf('router-tiers')).toBe('router-tiers');
  });

  it('refuses a name that is not kebab-case at definition time', () => {
    expect(() => definePlugin({ name: 'BadName', version: '1.0.0', kernel: '^1', setup() {} })).toThrow('must be kebab-case');
  });
});

describe('checkEntries', () => {
  const alpha = Type.Object({ alpha: Type.Number({ default: 1 }), mode: Type.Union([Type.Literal('a'), Type.Literal('b')], { default: 'a' }) }, { additionalProperties: false });

  it('applies option defaults', () => {
    const [checked] = checkEntries([entry('tiers', { options: alpha }, { mode: 'b' })]);
    expect(checked!.options).toEqual({ alpha: 1, mode: 'b' });
  });

  it('names the plugin, its position and the option in one line', () => {
    const run = () => checkEntries([entry('a'), entry('b'), entry('c'), entry('tiers', { options: alpha }, { alpha: 'x' }, 3)]);
    expect(run).toThrow('plugin "tiers": plugins[3].alpha: Expected number');
  });

  it('lists every bad option, unknown keys and literal choices included', () => {
    expect(() => checkEntries([entry('tiers', { options: alpha }, { alpha: 2, mode: 'c', colour: 1 }, 0)])).toThrow(
      'plugin "tiers": plugins[0]: Unknown key "colour"; plugins[0].mode: Expected one of "a", "b"',
    );
  });

  it('refuses a plugin whose kernel range this kernel does not satisfy', () => {
    expect(() => checkEntries([entry('future', { kernel: '^2' })])).toThrow(
      expect.objectContaining({ code: 'LYNKR_ERR_PLUGIN_KERNEL_RANGE', message: 'plugin "future" (plugins[0]) requires kernel ^2, this is 1.0.0' }),
    );
    expect(() => checkEntries([entry('odd', { kernel: 'whenever' })])).toThrow('is not a semver range');
  });

  it('refuses the same plugin twice', () => {
    expect(() => checkEntries([entry('x', {}, undefined, 0), entry('x', {}, undefined, 4)])).toThrow(
      expect.objectContaining({ code: 'LYNKR_ERR_PLUGIN_DUPLICATE', message: 'plugin "x" appears twice: plugins[0] and plugins[4]' }),
    );
  });
});

describe('orderByDependencies', () => {
  it('keeps config order and moves a plugin after what it depends on', () => {
    const ordered = orderByDependencies([entry('a', { dependsOn: ['c'] }), entry('b'), entry('c'), entry('d', { dependsOn: ['a'] })]);
    expect(names(ordered)).toEqual(['c', 'a', 'b', 'd']);
  });

  it('refuses a missing dependency and names the path', () => {
    expect(() => orderByDependencies([entry('a'), entry('router', { dependsOn: ['scorer'] })])).toThrow(
      expect.objectContaining({
        code: 'LYNKR_ERR_PLUGIN_DEPENDENCY_MISSING',
        message: 'plugin "router" depends on "scorer", which is not in the config: router → scorer',
      }),
    );
  });

  it('says when the dependency is disabled', () => {
    expect(() => orderByDependencies([entry('router', { dependsOn: ['scorer'] })], new Set(['scorer']))).toThrow(
      'plugin "router" depends on "scorer", which is disabled',
    );
  });

  it('refuses a cycle and names it', () => {
    const plugins = [entry('a', { dependsOn: ['b'] }), entry('b', { dependsOn: ['c'] }), entry('c', { dependsOn: ['a'] }), entry('d')];
    expect(() => orderByDependencies(plugins)).toThrow(
      expect.objectContaining({ code: 'LYNKR_ERR_PLUGIN_DEPENDENCY_CYCLE', message: 'plugins depend on each other in a cycle: a → b → c → a' }),
    );
  });

  it('refuses a plugin that depends on itself', () => {
    expect(() => orderByDependencies([entry('a', { dependsOn: ['a'] })])).toThrow('cycle: a → a');
  });
});
