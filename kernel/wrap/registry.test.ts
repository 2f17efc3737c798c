import { describe, expect, it } from '@jest/globals';
import { Wraps } from './registry.js';

const target = (name: string, binaries: string[] = [name]) => ({ name, binaries, install: 'x', prepare: () => ({ env: {}, args: [] }) });

describe('wrap registry', () => {
  it('registers targets by name, and lists them in order', () => {
    const wraps = new Wraps();
    wraps.registryFor('wrap-a').register(target('a'));
    wraps.registryFor('wrap-b').register(target('b-2'));
    expect(wraps.list().map((t) => t.name)).toEqual(['a', 'b-2']);
    expect(wraps.get('a')?.binaries).toEqual(['a']);
    expect(wraps.get('c')).toBeUndefined();
  });

  it('refuses a duplicate, a name that cannot be typed or put in a variable, and a target without binaries', () => {
    const wraps = new Wraps();
    wraps.registryFor('wrap-a').register(target('a'));
    expect(() => wraps.registryFor('other').register(target('a'))).toThrow('wrap target "a" is registered by both "wrap-a" and "other"');
    expect(() => wraps.registryFor('p').register(target('My Tool'))).toThrow('the name must be lower-case letters, digits and dashes');
    expect(() => wraps.registryFor('p').register(target('t', []))).toThrow('plugin "p" registered wrap target "t" without binaries to look for');
  });
});
