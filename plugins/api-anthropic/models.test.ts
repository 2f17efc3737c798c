import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import type { ModelInfo, ProviderAdapter } from '../../kernel/index.js';
import { anthropicModelList, collectModels, openAIModelList, wantsAnthropicFormat } from './models.js';

const adapter = (id: string, models?: () => ModelInfo[]): ProviderAdapter => ({ id, wire: 'test', models, invoke: () => Promise.reject(new Error('unused')) });
const model = (id: string, provider = 'p'): ModelInfo => ({ id, provider });
const ids = (list: { data: Array<{ id: string }> }) => list.data.map((m) => m.id);

describe('collectModels', () => {
  it('lists every provider\'s models once each, skipping providers without a list or whose list throws', () => {
    const models = collectModels(
      [
        adapter('a', () => [model('x', 'a'), model('y', 'a')]),
        adapter('b'),
        adapter('c', () => {
          throw new Error('down');
        }),
        adapter('d', () => [model('y', 'd'), model('z', 'd')]),
      ],
      pino({ level: 'silent' }),
    );
    expect(models.map((m) => `${m.provider}/${m.id}`)).toEqual(['a/x', 'a/y', 'd/z']);
  });
});

describe('anthropicModelList', () => {
  const five = ['a', 'b', 'c', 'd', 'e'].map((id) => model(id));

  it('lists everything without a limit, with display_name and created_at filled in', () => {
    expect(anthropicModelList([{ id: 'm', provider: 'p', displayName: 'M', createdAt: '2025-01-01T00:00:00Z' }, model('n')])).toEqual({
      data: [
        { type: 'model', id: 'm', display_name: 'M', created_at: '2025-01-01T00:00:00Z' },
        { type: 'model', id: 'n', display_name: 'n', created_at: '1970-01-01T00:00:00Z' },
      ],
      has_more: false,
      first_id: 'm',
      last_id: 'n',
    });
    expect(anthropicModelList([])).toEqual({ data: [], has_more: false, first_id: null, last_id: null });
  });

  it('pages with limit, after_id and before_id as Anthropic does', () => {
    const first = anthropicModelList(five, { limit: '2' });
    expect([ids(first), first.has_more, first.last_id]).toEqual([['a', 'b'], true, 'b']);
    const next = anthropicModelList(five, { limit: '2', after_id: 'b' });
    expect([ids(next), next.has_more]).toEqual([['c', 'd'], true]);
    const last = anthropicModelList(five, { limit: '2', after_id: 'd' });
    expect([ids(last), last.has_more]).toEqual([['e'], false]);
    const back = anthropicModelList(five, { limit: '2', before_id: 'd' });
    expect([ids(back), back.has_more]).toEqual([['b', 'c'], true]);
    expect(ids(anthropicModelList(five, { limit: 'nonsense' }))).toHaveLength(5);
  });
});

describe('openAIModelList', () => {
  it('gives created in Unix seconds (0 when unknown) and the provider as owner', () => {
    expect(openAIModelList([{ id: 'm', provider: 'ollama', createdAt: '2025-01-01T00:00:00Z' }, model('n', 'openai')])).toEqual({
      object: 'list',
      data: [
        { id: 'm', object: 'model', created: 1735689600, owned_by: 'ollama' },
        { id: 'n', object: 'model', created: 0, owned_by: 'openai' },
      ],
    });
  });
});

describe('wantsAnthropicFormat', () => {
  it('is decided by the anthropic-version header', () => {
    expect(wantsAnthropicFormat({ 'anthropic-version': '2023-06-01' })).toBe(true);
    expect(wantsAnthropicFormat({ authorization: 'Bearer x' })).toBe(false);
  });
});
