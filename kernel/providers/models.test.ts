import { describe, expect, it } from '@jest/globals';
import { mapModel, pickModel } from './models.js';

const map = {
  'claude-opus-4-1': 'exact-opus',
  'claude-3-5-*': 'old-family',
  'claude-3-*': 'older-family',
  sonnet: 'sonnet-upstream',
  haiku: 'haiku-upstream',
  '*': 'everything-else',
};

describe('mapModel', () => {
  it('prefers the exact name, then the longest prefix, then a family word, then *', () => {
    expect(mapModel('claude-opus-4-1', map)).toBe('exact-opus');
    expect(mapModel('claude-3-5-sonnet-20241022', map)).toBe('old-family');
    expect(mapModel('claude-3-opus', map)).toBe('older-family');
    expect(mapModel('claude-sonnet-4-5-20250929', map)).toBe('sonnet-upstream');
    expect(mapModel('Claude-HAIKU-4-5', map)).toBe('haiku-upstream');
    expect(mapModel('gpt-4o', map)).toBe('everything-else');
  });

  it('gives undefined when nothing matches and there is no *', () => {
    expect(mapModel('gpt-4o', { sonnet: 'x' })).toBeUndefined();
  });
});

describe('pickModel', () => {
  const request = { model: 'claude-sonnet-4-5' };
  it('uses the route\'s model as given, mapped or not', () => {
    expect(pickModel({ request, decision: { model: 'claude-haiku-4-5' } }, { map, defaultModel: 'd' })).toBe('claude-haiku-4-5');
  });
  it('maps the requested model when the route names none', () => {
    expect(pickModel({ request, decision: { model: '' } }, { map, defaultModel: 'd' })).toBe('sonnet-upstream');
  });
  it('falls back to the provider default, then to the requested name', () => {
    expect(pickModel({ request, decision: { model: '' } }, { map: { opus: 'o' }, defaultModel: 'd' })).toBe('d');
    expect(pickModel({ request, decision: { model: '' } }, {})).toBe('claude-sonnet-4-5');
  });
});
