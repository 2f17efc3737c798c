/**
 * Retries, the circuit breaker and the fallback ladder, with the Anthropic
 * SDK as the caller and fake upstreams that fail on purpose.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import type { Kernel } from '../../kernel/kernel.js';
import type { PluginEntry } from '../../kernel/config/schema.js';
import { startFakeAnthropic, startFakeOpenAI, type FakeAnthropic, type FakeOpenAI } from '../../test/fakes/index.js';
import { testKernel } from '../../test/helpers/kernel.js';

let primary: FakeOpenAI;
let backup: FakeOpenAI;
let claude: FakeAnthropic;
beforeAll(async () => {
  [primary, backup, claude] = await Promise.all([startFakeOpenAI(), startFakeOpenAI(), startFakeAnthropic()]);
});
afterAll(async () => {
  await Promise.all([primary.close(), backup.close(), claude.close()]);
});

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

const providers = (primaryUrl = `${primary.url}/v1`): PluginEntry => [
  'provider-openai-compatible',
  {
    custom: [
      { id: 'main', baseUrl: primaryUrl, model: 'main-model' },
      { id: 'spare', baseUrl: `${backup.url}/v1`, model: 'spare-model' },
    ],
  },
];

async function boot(resilience: Record<string, unknown>, routing: PluginEntry[] = [['router-static', { target: 'main:main-model' }]], extra: PluginEntry[] = []) {
  kernel = await testKernel({
    server: { port: 0 },
    plugins: ['api-anthropic', providers(), ...extra, ...routing, ['resilience', { retry: { baseDelayMs: 0 }, ...resilience }]],
  });
  const { url } = await kernel.start();
  return new Anthropic({ baseURL: url, apiKey: 'k', maxRetries: 0 });
}

const ask = (client: Anthropic, text = 'hi') =>
  client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: text }] }).withResponse();

const failed = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    return error as InstanceType<typeof Anthropic.APIError>;
  }
  throw new Error('expected a failure');
};

describe('resilience: retries', () => {
  it('retries a 500 and answers with the second call', async () => {
    const client = await boot({});
    const before = primary.requests.length;
    primary.enqueue({ status: 500, error: { message: 'boom' } }, { text: 'second time lucky' });
    const { data, response } = await ask(client);
    expect(data.content).toEqual([{ type: 'text', text: 'second time lucky' }]);
    expect(primary.requests.length - before).toBe(2);
    expect(response.headers.get('x-lynkr-attempts')).toBe('2');
  });

  it('honours a short retry-after on a 429', async () => {
    const client = await boot({});
    primary.enqueue({ status: 429, error: { message: 'slow down' }, headers: { 'retry-after': '0' } }, { text: 'ok' });
    const { data } = await ask(client);
    expect(data.content).toEqual([{ type: 'text', text: 'ok' }]);
  });

  it('does not wait for a retry-after longer than maxRetryAfterMs: the client gets the 429 and its retry-after', async () => {
    const client = await boot({ fallback: { enabled: false } });
    const before = primary.requests.length;
    primary.enqueue({ status: 429, error: { message: 'come back in a minute' }, headers: { 'retry-after': '60' } });
    const error = await failed(ask(client));
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('60');
    expect(primary.requests.length - before).toBe(1);
  });

  it('never retries a request the upstream rejected as invalid', async () => {
    const client = await boot({ fallback: { targets: ['spare:spare-model'] } });
    const [p, b] = [primary.requests.length, backup.requests.length];
    primary.enqueue({ status: 400, error: { message: 'bad request' } });
    const error = await failed(ask(client));
    expect(error.status).toBe(400);
    expect(primary.requests.length - p).toBe(1);
    expect(backup.requests.length - b).toBe(0);
  });

  it('gives up after `attempts` calls and answers with the last error', async () => {
    const client = await boot({ retry: { attempts: 2, baseDelayMs: 0 }, fallback: { enabled: false } });
    const before = primary.requests.length;
    primary.enqueue({ status: 503, error: { message: 'down' } }, { status: 503, error: { message: 'still down' } });
    const error = await failed(ask(client));
    expect(error.status).toBe(502);
    expect(JSON.stringify(error.error)).toContain('still down');
    expect(primary.requests.length - before).toBe(2);
  });

  it('never retries once the stream has begun: a stream cut midway ends with an error event', async () => {
    const client = await boot({ fallback: { targets: ['spare:spare-model'] } });
    const [p, b] = [primary.requests.length, backup.requests.length];
    primary.enqueue({ text: 'one two three four five', dieAfterChunks: 3 });
    const stream = client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    const error = await failed(stream.finalMessage());
    expect(error).toBeDefined();
    expect(primary.requests.length - p).toBe(1);
    expect(backup.requests.length - b).toBe(0);
  });
});

describe('resilience: fallback', () => {
  it('falls back to a configured target when the provider is unreachable, and says so in headers', async () => {
    kernel = await testKernel({
      server: { port: 0 },
      plugins: [
        'api-anthropic',
        // Port 9 (discard) on loopback: nothing listens, the connection is refused.
        providers('http://127.0.0.1:9/v1'),
        ['router-static', { target: 'main:main-model' }],
        ['resilience', { retry: { attempts: 2, baseDelayMs: 0 }, fallback: { targets: ['spare:spare-model'] } }],
      ],
    });
    const client = new Anthropic({ baseURL: (await kernel.start()).url, apiKey: 'k', maxRetries: 0 });
    backup.enqueue({ text: 'the spare answers' });
    const { data, response } = await ask(client);
    expect(data.content).toEqual([{ type: 'text', text: 'the spare answers' }]);
    expect(response.headers.get('x-lynkr-provider')).toBe('spare');
    expect(response.headers.get('x-lynkr-fallback')).toMatch(/^main:main-model -> spare:spare-model \(main:main-model unreachable\)$/);
  });

  it('climbs the tier ladder: a failing SIMPLE model hands the turn to MEDIUM', async () => {
    const client = await boot({ retry: { attempts: 1 } }, [
      ['router-tiers', { simple: 'main:main-model', medium: 'spare:spare-model', reasoning: 'spare:spare-strong' }],
      ['router-static', { target: 'main:main-model' }],
    ]);
    primary.enqueue({ status: 503, error: { message: 'overloaded' } });
    backup.enqueue({ text: 'medium here' });
    const { data, response } = await ask(client, 'thanks!');
    expect(data.content).toEqual([{ type: 'text', text: 'medium here' }]);
    expect(response.headers.get('x-lynkr-tier')).toBe('MEDIUM');
    expect(response.headers.get('x-lynkr-model')).toBe('spare-model');
    expect(response.headers.get('x-lynkr-fallback')).toContain('main:main-model -> spare:spare-model (main:main-model answered 503)');
  });

  it('never sends the client\'s subscription token to the provider a fallback reaches', async () => {
    const token = 'sk-ant-oat01-FallbackMustNotLeakThis_42';
    kernel = await testKernel({
      server: { port: 0 },
      plugins: [
        'api-anthropic',
        ['provider-anthropic', { baseUrl: claude.url, subscriptionHosts: ['127.0.0.1'] }],
        providers(),
        ['router-static', { target: 'anthropic:claude-opus-4-1' }],
        ['resilience', { retry: { attempts: 1 }, fallback: { targets: ['spare:spare-model'] } }],
      ],
    });
    const url = (await kernel.start()).url;
    claude.enqueue({ status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } });
    backup.enqueue({ text: 'spare' });
    const client = new Anthropic({ baseURL: url, authToken: token, apiKey: null, maxRetries: 0 });
    const { data, response } = await ask(client);
    expect(data.content).toEqual([{ type: 'text', text: 'spare' }]);
    expect(response.headers.get('x-lynkr-provider')).toBe('spare');
    expect(claude.requests.at(-1)!.headers.authorization).toBe(`Bearer ${token}`);
    const sent = backup.requests.at(-1)!;
    expect(JSON.stringify(sent.headers)).not.toContain(token);
    expect(sent.body).not.toContain(token);
  });
});

describe('resilience: circuit breaker', () => {
  it('opens after consecutive failures, then skips the provider without calling it', async () => {
    const client = await boot({ retry: { attempts: 1 }, breaker: { failures: 2, cooldownMs: 60_000 }, fallback: { targets: ['spare:spare-model'] } });
    const before = primary.requests.length;
    primary.enqueue({ status: 500, error: { message: 'a' } }, { status: 500, error: { message: 'b' } });
    backup.enqueue({ text: '1' }, { text: '2' }, { text: '3' });
    await ask(client);
    await ask(client);
    expect(primary.requests.length - before).toBe(2);
    const { data, response } = await ask(client);
    expect(data.content).toEqual([{ type: 'text', text: '3' }]);
    expect(primary.requests.length - before).toBe(2);
    expect(response.headers.get('x-lynkr-fallback')).toContain('circuit open');
  });

  it('answers 503 with retry-after when the circuit is open and nothing else can answer', async () => {
    const client = await boot({ retry: { attempts: 1 }, breaker: { failures: 1, cooldownMs: 60_000 }, fallback: { enabled: false } });
    primary.enqueue({ status: 500, error: { message: 'a' } });
    await failed(ask(client));
    const error = await failed(ask(client));
    expect(error.status).toBe(503);
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.stringify(error.error)).toContain('circuit is open');
  });
});

describe('resilience: metrics', () => {
  it('reports retries, fallbacks and breaker states to the metrics plugin', async () => {
    kernel = await testKernel({
      server: { port: 0 },
      plugins: [
        'api-anthropic',
        providers(),
        ['router-static', { target: 'main:main-model' }],
        'metrics',
        'stats',
        ['resilience', { retry: { attempts: 2, baseDelayMs: 0 }, breaker: { failures: 2 }, fallback: { targets: ['spare:spare-model'] } }],
      ],
    });
    const url = (await kernel.start()).url;
    const client = new Anthropic({ baseURL: url, apiKey: 'k', maxRetries: 0 });
    primary.enqueue({ status: 503, error: { message: 'a' } }, { status: 503, error: { message: 'b' } });
    backup.enqueue({ text: 'spare' });
    await ask(client);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/lynkr_retries_total\{[^}]*provider="main"[^}]*\} 1/);
    expect(text).toMatch(/lynkr_fallbacks_total\{[^}]*from_provider="main"[^}]*to_provider="spare"[^}]*\} 1/);
    expect(text).toMatch(/lynkr_circuit_breaker_state\{[^}]*provider="main"[^}]*\} 2/);
    const stats = (await (await fetch(`${url}/v1/lynkr/stats`)).json()) as { fallbacks: number; requests: number; errors: number };
    expect(stats).toMatchObject({ requests: 1, errors: 0, fallbacks: 1 });
  });
});
