import { describe, expect, it } from '@jest/globals';
import { answersFromFlags, parseInitArgs, type InitFlags } from './args.js';
import { EnvRef, borrowedFrom, checkAnswers, planInit, withPlaceholders, type InitAnswers } from './plan.js';
import { PROVIDERS } from './providers.js';

const date = new Date('2025-06-01T12:00:00Z');

function answers(overrides: Partial<InitAnswers> = {}): InitAnswers {
  return {
    mode: 'api-keys',
    tiers: { simple: { provider: 'ollama', model: 'qwen2.5-coder:7b' } },
    settings: {},
    secrets: {},
    badge: false,
    intentWindow: { size: 5, decay: 0.7 },
    ...overrides,
  };
}

function flags(argv: string[]): InitFlags {
  const parsed = parseInitArgs(argv);
  if (parsed === 'help') throw new Error('help');
  return parsed;
}

describe('planInit', () => {
  it('prints a readable, commented config that reads every secret from the environment', () => {
    const plan = planInit(
      answers({
        tiers: {
          simple: { provider: 'ollama', model: 'qwen2.5-coder:7b' },
          complex: { provider: 'openai', model: 'gpt-4o' },
          reasoning: { provider: 'openai', model: 'gpt-5' },
        },
        secrets: { OPENAI_API_KEY: 'sk-very-secret-value-123' },
        settings: { ollama: { baseUrl: 'http://127.0.0.1:11434/' } },
      }),
      { date },
    );
    expect(plan.config).toContain('Written by `lynkr init` on 2025-06-01. Mode: API keys (and local models).');
    expect(plan.config).toContain("import { defineConfig } from 'lynkr';");
    expect(plan.config).toContain(`    ['provider-ollama', { baseUrl: 'http://127.0.0.1:11434', model: 'qwen2.5-coder:7b' }],
    ['provider-openai-compatible', { openai: { apiKey: process.env.OPENAI_API_KEY, model: 'gpt-4o', models: ['gpt-5'] } }],`);
    expect(plan.config).toContain('// MEDIUM is not set: it borrows COMPLEX.');
    expect(plan.config).toContain("['router-static', { target: 'ollama:qwen2.5-coder:7b' }]");
    expect(plan.config).not.toContain('sk-very-secret-value-123');
    expect(plan.env).toContain('OPENAI_API_KEY=sk-very-secret-value-123');
    expect(plan.envMasked).toContain('OPENAI_API_KEY=sk-…(24 chars)');
    expect(plan.envMasked).not.toContain('sk-very-secret-value-123');
    expect(plan.providers).toEqual(['ollama', 'openai']);
    expect(plan.config.split('// Upstreams.')).toHaveLength(2);
    expect(plan.warnings).toEqual([]);
    // The plugin entries the boot check uses are the ones printed.
    expect(plan.plugins).toContainEqual(['router-tiers', { simple: 'ollama:qwen2.5-coder:7b', complex: 'openai:gpt-4o', reasoning: 'openai:gpt-5' }]);
    expect(JSON.stringify(withPlaceholders(plan.plugins))).toContain('"apiKey":"lynkr-init-placeholder"');
  });

  it('lists the full gateway: APIs in front, sanitizer, providers, routers, badge, stats, wrap targets', () => {
    const names = planInit(answers(), { date }).plugins.map((e) => (typeof e === 'string' ? e : (e as readonly [string])[0]));
    expect(names).toEqual([
      'api-anthropic',
      'api-openai',
      'badge-sanitizer',
      'provider-ollama',
      'router-tiers',
      'intent-window',
      'stats',
      'resilience',
      'router-static',
      'badge',
      'wrap-claude',
      'wrap-codex',
      'wrap-copilot',
      'wrap-aider',
      'wrap-cursor',
    ]);
  });

  it('uses the subscription for Anthropic: no API key, in the config or in .env', () => {
    const plan = planInit(
      answers({
        mode: 'subscription',
        tiers: { simple: { provider: 'ollama', model: 'llama3.2' }, complex: { provider: 'anthropic', model: 'claude-sonnet-4-5' } },
        secrets: { ANTHROPIC_API_KEY: 'sk-ant-should-not-be-used' },
      }),
      { date },
    );
    expect(plan.plugins).toContainEqual(['provider-anthropic', { subscription: true, model: 'claude-sonnet-4-5' }]);
    expect(plan.config).toContain("Claude Code's own Pro/Max login");
    expect(plan.config).not.toContain('ANTHROPIC_API_KEY');
    expect(plan.env).not.toContain('sk-ant-should-not-be-used');
    expect(plan.credentials).toEqual([]);
    expect(plan.env).toContain('# No provider you chose needs a credential.');
  });

  it('reads a required key even when it is not known yet, and says so', () => {
    const plan = planInit(answers({ tiers: { complex: { provider: 'anthropic', model: 'claude-sonnet-4-5' } } }), { date });
    expect(plan.plugins).toContainEqual(['provider-anthropic', { subscription: false, apiKey: new EnvRef('ANTHROPIC_API_KEY'), model: 'claude-sonnet-4-5' }]);
    expect(plan.config).toContain('Your API key pays, even for a client logged in to a Claude subscription.');
    expect(plan.env).toContain('# ANTHROPIC_API_KEY=   (needed: not given to lynkr init)');
    expect(plan.warnings).toEqual([expect.stringContaining('ANTHROPIC_API_KEY is not set')]);
  });

  it('reads an optional key only when there is one', () => {
    const without = planInit(answers({ tiers: { simple: { provider: 'llamacpp', model: 'default' } } }), { date });
    expect(without.config).not.toContain('LLAMACPP_API_KEY');
    const withKey = planInit(answers({ tiers: { simple: { provider: 'llamacpp', model: 'default' } }, secrets: { LLAMACPP_API_KEY: 'local-key-1234' } }), { date });
    expect(withKey.config).toContain("llamacpp: { baseUrl: 'http://127.0.0.1:8080/v1', apiKey: process.env.LLAMACPP_API_KEY, model: 'default' }");
  });

  it('quotes what .env needs quoted, and escapes what Lynkr would expand', () => {
    const plan = planInit(answers({ tiers: { simple: { provider: 'openai', model: 'gpt-4o' } }, secrets: { OPENAI_API_KEY: 'a b#c$d' } }), { date });
    expect(plan.env).toContain("OPENAI_API_KEY='a b#c\\$d'");
  });

  it('escapes quotes in models', () => {
    const plan = planInit(answers({ tiers: { simple: { provider: 'ollama', model: "it's" } } }), { date });
    expect(plan.config).toContain("simple: 'ollama:it\\'s'");
  });
});

describe('checkAnswers', () => {
  it('accepts good answers', () => {
    expect(checkAnswers(answers())).toEqual([]);
  });

  it('names every problem', () => {
    const problems = checkAnswers(
      answers({
        tiers: { simple: { provider: 'databricks', model: ' ' }, medium: { provider: 'ollama', model: 'x' } },
        settings: { ollama: { baseUrl: 'ftp://box' } },
        secrets: { DATABRICKS_API_KEY: "it's\nbad" },
        intentWindow: { size: 0, decay: 0 },
      }),
    );
    expect(problems).toEqual([
      'simple: no model',
      'OLLAMA_ENDPOINT: "ftp://box" is not an http(s) URL',
      'Databricks needs its workspace URL (--databricks-endpoint)',
      'DATABRICKS_API_KEY: the value has characters a .env line cannot hold',
      'intent window: 0 is not a whole number of at least 1',
      'intent decay: 0 is not a number in (0, 1]',
    ]);
    expect(checkAnswers(answers({ tiers: {} }))).toEqual([expect.stringContaining('no tier has a provider')]);
  });
});

describe('borrowedFrom', () => {
  it('takes the nearest configured tier above, else below', () => {
    const tiers = { simple: { provider: 'a', model: 'm' }, complex: { provider: 'b', model: 'm' } };
    expect(borrowedFrom(tiers, 'medium')).toBe('complex');
    expect(borrowedFrom(tiers, 'reasoning')).toBe('complex');
    expect(borrowedFrom({ medium: tiers.simple }, 'simple')).toBe('medium');
  });
});

describe('answersFromFlags', () => {
  it('takes the mode defaults without --tier', () => {
    const a = answersFromFlags(flags(['--mode', 'subscription']), {});
    expect(a.tiers).toEqual({
      simple: { provider: 'ollama', model: 'qwen2.5-coder:7b' },
      medium: { provider: 'ollama', model: 'qwen2.5-coder:7b' },
      complex: { provider: 'anthropic', model: 'claude-sonnet-4-5' },
      reasoning: { provider: 'anthropic', model: 'claude-opus-4-5' },
    });
    expect(a.badge).toBe(true);
  });

  it('takes only the tiers named, but the subscription keeps the hard ones unless told otherwise', () => {
    expect(answersFromFlags(flags(['--tier', 'simple=ollama:llama3.2', '--tier', 'complex=openai:gpt-4o']), {}).tiers).toEqual({
      simple: { provider: 'ollama', model: 'llama3.2' },
      complex: { provider: 'openai', model: 'gpt-4o' },
    });
    expect(answersFromFlags(flags(['--mode', 'subscription', '--tier', 'SIMPLE=ollama:qwen2.5-coder:7b', '--tier', 'reasoning=skip']), {}).tiers).toEqual({
      simple: { provider: 'ollama', model: 'qwen2.5-coder:7b' },
      complex: { provider: 'anthropic', model: 'claude-sonnet-4-5' },
    });
  });

  it('takes settings and secrets from flags first, then the environment', () => {
    const a = answersFromFlags(flags(['--ollama-endpoint', 'http://127.0.0.1:1/', '--openai-api-key', 'sk-flag']), {
      OLLAMA_ENDPOINT: 'http://127.0.0.1:2',
      LMSTUDIO_ENDPOINT: 'http://127.0.0.1:3',
      OPENAI_API_KEY: 'sk-env',
      OPENROUTER_API_KEY: 'sk-or-env',
      ANTHROPIC_API_KEY: 'sk-ant-env',
    });
    expect(a.settings).toEqual({ ollama: { baseUrl: 'http://127.0.0.1:1/' }, lmstudio: { baseUrl: 'http://127.0.0.1:3' } });
    expect(a.secrets).toEqual({ OPENAI_API_KEY: 'sk-flag', OPENROUTER_API_KEY: 'sk-or-env', ANTHROPIC_API_KEY: 'sk-ant-env' });
    // In subscription mode, Anthropic's key is not Lynkr's to send.
    expect(answersFromFlags(flags(['--mode', 'subscription']), { ANTHROPIC_API_KEY: 'sk-ant-env' }).secrets).toEqual({});
  });
});

describe('the provider table', () => {
  it('has unique ids, local providers first, and a default model for each', () => {
    const ids = PROVIDERS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const firstHosted = PROVIDERS.findIndex((p) => !p.local);
    expect(PROVIDERS.slice(firstHosted).every((p) => !p.local)).toBe(true);
    for (const p of PROVIDERS) expect(p.model).not.toBe('');
  });
});
