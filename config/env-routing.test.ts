import { describe, expect, it } from '@jest/globals';
import { tierOptionsFromEnv, tierProviders } from './env-routing.js';

describe('tierOptionsFromEnv', () => {
  it('is undefined without any TIER_* variable', () => {
    expect(tierOptionsFromEnv({})).toBeUndefined();
    expect(tierOptionsFromEnv({ TIER_SIMPLE: '  ', LYNKR_STICKY_TTL_MS: '1000' })).toBeUndefined();
  });

  it('maps any subset of the tiers, splitting each entry at its first colon', () => {
    expect(
      tierOptionsFromEnv({
        TIER_SIMPLE: 'Ollama:minimax-m2.5:cloud',
        TIER_REASONING: 'bedrock:us.anthropic.claude-opus-4-v1:0, azure-anthropic:claude-opus-4',
      }),
    ).toEqual({ simple: ['ollama:minimax-m2.5:cloud'], reasoning: ['bedrock:us.anthropic.claude-opus-4-v1:0', 'azure-anthropic:claude-opus-4'] });
  });

  it('reads an entry without a provider as a model of MODEL_PROVIDER (else ollama)', () => {
    expect(tierOptionsFromEnv({ TIER_MEDIUM: 'qwen2.5-coder' })).toEqual({ medium: ['ollama:qwen2.5-coder'] });
    expect(tierOptionsFromEnv({ TIER_MEDIUM: 'gpt-4o', MODEL_PROVIDER: 'OpenAI' })).toEqual({ medium: ['openai:gpt-4o'] });
  });

  it('lists the providers the tiers name', () => {
    expect(tierProviders(tierOptionsFromEnv({ TIER_SIMPLE: 'ollama:a,lmstudio:b', TIER_COMPLEX: 'openai:gpt-4.1', TIER_REASONING: 'ollama:c:latest' })!)).toEqual(['ollama', 'lmstudio', 'openai']);
  });

  it('maps the affinity variables', () => {
    expect(tierOptionsFromEnv({ TIER_COMPLEX: 'a:b', LYNKR_STICKY_SESSIONS: 'false', LYNKR_STICKY_TTL_MS: '3600000', LYNKR_PIN_DRIFT_MARGIN: '15' })).toEqual({
      complex: ['a:b'],
      affinity: { enabled: false, ttlMs: 3_600_000, escalationMargin: 15 },
    });
  });

  it('refuses malformed values, naming the variable', () => {
    expect(() => tierOptionsFromEnv({ TIER_SIMPLE: 'ollama:' })).toThrow('TIER_SIMPLE=ollama:: "ollama:" is not provider:model');
    expect(() => tierOptionsFromEnv({ TIER_SIMPLE: 'Not A Provider:m' })).toThrow('is not provider:model');
    expect(() => tierOptionsFromEnv({ TIER_SIMPLE: 'a:b', LYNKR_STICKY_TTL_MS: '6h' })).toThrow('LYNKR_STICKY_TTL_MS=6h is not a whole number of at least 1000');
    expect(() => tierOptionsFromEnv({ TIER_SIMPLE: 'a:b', LYNKR_STICKY_SESSIONS: 'maybe' })).toThrow('LYNKR_STICKY_SESSIONS=maybe is not true or false');
  });
});
