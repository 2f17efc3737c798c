import { describe, expect, it } from '@jest/globals';
import { configFromEnv, defaults, envOverrides } from './env.js';

const WRAP = ['wrap-claude', 'wrap-codex', 'wrap-copilot', 'wrap-aider', 'wrap-cursor'];

const RESILIENCE = ['resilience', { fallback: { enabled: true } }] as const;

describe('environment mapping', () => {
  it('serves Ollama on localhost when the environment names nothing', () => {
    expect(defaults({})).toEqual([
      'api-anthropic',
      'api-openai',
      'badge-sanitizer',
      ['provider-ollama', { baseUrl: 'http://127.0.0.1:11434', model: 'qwen2.5-coder:7b' }],
      ['limits', {}],
      'stats',
      RESILIENCE,
      ['router-static', { target: 'ollama:qwen2.5-coder:7b' }],
      ['badge', { enabled: false }],
      ...WRAP,
    ]);
  });

  it('maps an existing Lynkr .env: the primary provider, others with credentials, full endpoint URLs', () => {
    const env = {
      MODEL_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_ENDPOINT: 'https://gateway.example/v1/chat/completions',
      OPENAI_MODEL: 'gpt-4.1',
      OLLAMA_ENDPOINT: 'http://gpu-box:11434',
      OLLAMA_MODEL: 'qwen2.5-coder:latest',
      LLAMACPP_ENDPOINT: 'http://localhost:8080/',
      DATABRICKS_API_BASE: 'https://adb-1.azuredatabricks.net',
      DATABRICKS_API_KEY: 'dapi-x',
    };
    expect(defaults({ ...env, LYNKR_VISIBLE_ROUTING: 'true' })).toEqual([
      'api-anthropic',
      'api-openai',
      'badge-sanitizer',
      ['provider-ollama', { baseUrl: 'http://gpu-box:11434', model: 'qwen2.5-coder:latest' }],
      [
        'provider-openai-compatible',
        {
          openai: { baseUrl: 'https://gateway.example/v1', apiKey: 'sk-test', model: 'gpt-4.1' },
          llamacpp: { baseUrl: 'http://localhost:8080/v1', model: 'default' },
          databricks: {
            baseUrl: 'https://adb-1.azuredatabricks.net',
            path: '/serving-endpoints/databricks-claude-sonnet-4-5/invocations',
            apiKey: 'dapi-x',
            model: 'databricks-claude-sonnet-4-5',
          },
        },
      ],
      ['limits', {}],
      'stats',
      RESILIENCE,
      ['router-static', { target: 'openai:gpt-4.1' }],
      ['badge', { enabled: true }],
      ...WRAP,
    ]);
  });

  it('routes to MODEL_DEFAULT when set, and to Anthropic when MODEL_PROVIDER says so', () => {
    expect(defaults({ MODEL_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'sk-ant', MODEL_DEFAULT: 'claude-opus-4-5' })).toEqual([
      'api-anthropic',
      'api-openai',
      'badge-sanitizer',
      ['provider-anthropic', { baseUrl: 'https://api.anthropic.com', apiKey: 'sk-ant', model: 'claude-sonnet-4-5' }],
      ['limits', {}],
      'stats',
      RESILIENCE,
      ['router-static', { target: 'anthropic:claude-opus-4-5' }],
      ['badge', { enabled: false }],
      ...WRAP,
    ]);
  });

  it('adds tier routing from TIER_*, enabling every provider a tier names', () => {
    const plugins = defaults({ MODEL_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-x', TIER_SIMPLE: 'ollama:qwen2.5-coder:7b', TIER_REASONING: 'anthropic:claude-opus-4-5', ANTHROPIC_API_KEY: 'sk-ant', LYNKR_INTENT_WINDOW_N: '3' });
    const byName = Object.fromEntries(plugins.map((p) => (Array.isArray(p) ? [p[0], p[1]] : [p, {}])));
    expect(Object.keys(byName['provider-openai-compatible']!)).toEqual(['openai']);
    expect(byName['provider-ollama']).toEqual({ baseUrl: 'http://127.0.0.1:11434', model: 'qwen2.5-coder:7b' });
    expect(byName['provider-anthropic']).toMatchObject({ apiKey: 'sk-ant' });
    expect(byName['router-tiers']).toEqual({ simple: ['ollama:qwen2.5-coder:7b'], reasoning: ['anthropic:claude-opus-4-5'] });
    expect(byName['intent-window']).toEqual({ size: 3 });
    expect(() => defaults({ TIER_SIMPLE: 'nowhere:m' })).toThrow('a TIER_* variable names provider "nowhere"');
  });

  it('switches on each provider plugin from its own variables, and metrics with LYNKR_METRICS', () => {
    const names = defaults({
      AWS_BEDROCK_API_KEY: 'bedrock-key',
      AZURE_ANTHROPIC_ENDPOINT: 'https://r.services.ai.azure.com',
      AZURE_ANTHROPIC_API_KEY: 'az-ant',
      AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com',
      AZURE_OPENAI_API_KEY: 'az-oai',
      ZAI_API_KEY: 'zai',
      MOONSHOT_API_KEY: 'ms',
      LYNKR_METRICS: 'true',
    }).map((p) => (Array.isArray(p) ? p[0] : p));
    expect(names).toEqual(
      expect.arrayContaining(['provider-bedrock', 'provider-azure-anthropic', 'provider-azure-openai', 'provider-zai', 'provider-moonshot', 'metrics']),
    );
    // Counted before resilience retries: stats and metrics see one exchange, not each attempt.
    expect(names.indexOf('stats')).toBeLessThan(names.indexOf('resilience'));
    expect(names.indexOf('metrics')).toBeLessThan(names.indexOf('resilience'));
  });

  it('configures limits from LYNKR_RATE_LIMIT_RPM, LYNKR_RATE_LIMIT_TPM, LYNKR_MAX_STREAMS and LYNKR_SHED_LAG_MS', () => {
    const byName = (env: Record<string, string>) => Object.fromEntries(defaults(env).map((p) => (Array.isArray(p) ? [p[0], p[1]] : [p, {}])));
    expect(byName({ LYNKR_RATE_LIMIT_RPM: '60', LYNKR_RATE_LIMIT_TPM: '100000', LYNKR_MAX_STREAMS: '4', LYNKR_SHED_LAG_MS: '200' })['limits']).toEqual({
      requestsPerMinute: 60,
      tokensPerMinute: 100_000,
      concurrentStreams: 4,
      loadShedding: { eventLoopDelayMs: 200 },
    });
    expect(() => defaults({ LYNKR_MAX_STREAMS: 'many' })).toThrow('LYNKR_MAX_STREAMS=many is not a whole number');
  });

  it('adds the bandit after the intent window with LYNKR_BANDIT=true and tiers', () => {
    const names = (env: Record<string, string>) => defaults(env).map((p) => (Array.isArray(p) ? p[0] : p));
    const env = { TIER_SIMPLE: 'ollama:a', TIER_COMPLEX: 'ollama:b', LYNKR_BANDIT: 'true', LYNKR_BANDIT_EPSILON: '0.05' };
    expect(names(env).indexOf('bandit-linucb')).toBe(names(env).indexOf('intent-window') + 1);
    expect(defaults(env).find((p) => Array.isArray(p) && p[0] === 'bandit-linucb')).toEqual(['bandit-linucb', { epsilon: 0.05 }]);
    expect(names({ LYNKR_BANDIT: 'true' })).not.toContain('bandit-linucb');
  });

  it('configures fallbacks from FALLBACK_ENABLED and LYNKR_FALLBACK', () => {
    const byName = (env: Record<string, string>) => Object.fromEntries(defaults(env).map((p) => (Array.isArray(p) ? [p[0], p[1]] : [p, {}])));
    expect(byName({ LYNKR_FALLBACK: 'openai:gpt-4o, ollama:llama3.2', OPENAI_API_KEY: 'sk' })['resilience']).toEqual({
      fallback: { enabled: true, targets: ['openai:gpt-4o', 'ollama:llama3.2'] },
    });
    expect(byName({ FALLBACK_ENABLED: 'false' })['resilience']).toEqual({ fallback: { enabled: false } });
  });

  it('refuses a MODEL_PROVIDER it cannot serve, listing what it can', () => {
    expect(() => defaults({ MODEL_PROVIDER: 'nowhere' })).toThrow('MODEL_PROVIDER=nowhere is not a provider this Lynkr serves (supported: ollama, bedrock, vertex, azure-anthropic, azure-openai, zai, moonshot, openai, openrouter, llamacpp, lmstudio, databricks, anthropic)');
  });

  it('maps server, log, storage, keys and disable', () => {
    expect(envOverrides({ PORT: '8080', HOST: '0.0.0.0', LOG_LEVEL: 'DEBUG', LYNKR_STORAGE: 'redis://r:6379', LYNKR_KEYS: 'a-key-0001, b-key-0002' })).toEqual({
      server: { port: 8080, host: '0.0.0.0' },
      log: { level: 'debug' },
      storage: 'redis://r:6379',
      keys: ['a-key-0001', 'b-key-0002'],
    });
    expect(configFromEnv({ LYNKR_DISABLE: 'badge,headroom' }).disable).toEqual(['badge', 'headroom']);
  });
});
