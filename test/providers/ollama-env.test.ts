/**
 * The `ollama` environment provider: Lynkr's OLLAMA_* variables as
 * `provider-ollama` options, checked on the wire against the fake.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { ollama } from '../../config/providers/ollama.js';
import type { Kernel } from '../../kernel/kernel.js';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.js';
import { testKernel } from '../helpers/kernel.js';
import { run, userRequest } from './helpers.js';

let fake: FakeOllama | undefined;
let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  await fake?.close();
  kernel = fake = undefined;
});

describe('env provider ollama', () => {
  it('is served by provider-ollama, on when OLLAMA_ENDPOINT is set', () => {
    expect([ollama.id, ollama.plugin]).toEqual(['ollama', 'provider-ollama']);
    expect(ollama.on({ OLLAMA_ENDPOINT: 'http://gpu-box:11434' })).toBe(true);
    expect(ollama.on({ OLLAMA_ENDPOINT: ' ' })).toBe(false);
    expect(ollama.on({})).toBe(false);
  });

  it('defaults to the local server and qwen2.5-coder:7b', () => {
    expect(ollama.options({})).toEqual({ baseUrl: 'http://127.0.0.1:11434' });
    expect(ollama.model({})).toBe('qwen2.5-coder:7b');
    expect(ollama.model({ OLLAMA_MODEL: 'qwen2.5-coder:latest' })).toBe('qwen2.5-coder:latest');
  });

  it('maps every variable', () => {
    expect(
      ollama.options({
        OLLAMA_ENDPOINT: 'http://gpu-box:11434/v1',
        OLLAMA_KEEP_ALIVE: '10m',
        OLLAMA_NUM_CTX: '65536',
        OLLAMA_THINK: 'High',
        OLLAMA_API_KEY: 'ollama-key',
        OLLAMA_TIMEOUT_MS: '300000',
      }),
    ).toEqual({
      baseUrl: 'http://gpu-box:11434/v1',
      keepAlive: '10m',
      numCtx: 65_536,
      think: 'high',
      apiKey: 'ollama-key',
      timeouts: { firstByteMs: 300_000 },
    });
    expect(ollama.options({ OLLAMA_THINK: 'false' })).toMatchObject({ think: false });
  });

  it('refuses values that cannot mean what was meant', () => {
    expect(() => ollama.options({ OLLAMA_NUM_CTX: '32k' })).toThrow('OLLAMA_NUM_CTX=32k is not a positive whole number');
    expect(() => ollama.options({ OLLAMA_THINK: 'yes' })).toThrow('OLLAMA_THINK=yes is not one of true, false, low, medium, high');
  });

  it('puts the options on the wire: the endpoint\'s /v1 removed, a number keep_alive as a number, num_ctx', async () => {
    fake = await startFakeOllama();
    const env = { OLLAMA_ENDPOINT: `${fake.url}/v1`, OLLAMA_MODEL: 'llama3.1:8b', OLLAMA_KEEP_ALIVE: '300', OLLAMA_NUM_CTX: '8192' };
    kernel = await testKernel({
      plugins: [[ollama.plugin, { ...ollama.options(env), model: ollama.model(env) }], ['router-static', { target: ollama.id }]],
    });
    await run(kernel, userRequest('hi'));
    expect(fake.requests[0]).toMatchObject({
      path: '/api/chat',
      json: { model: 'llama3.1:8b', keep_alive: 300, options: { num_ctx: 8192 } },
    });
  });
});
