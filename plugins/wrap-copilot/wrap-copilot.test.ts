import { afterEach, describe, expect, it } from '@jest/globals';
import type { Kernel, WrapPrepareOptions } from '../../kernel/index.js';
import { testKernel } from '../../test/helpers/kernel.js';

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

const base = { baseUrl: 'http://127.0.0.1:4000', args: [], env: {}, bin: '/usr/bin/copilot', apiKey: 'lynkr-local', keyRequired: false } satisfies WrapPrepareOptions;

describe('wrap-copilot', () => {
  it('anthropic (default): the base URL without /v1 and a Claude model', async () => {
    kernel = await testKernel({ plugins: ['wrap-copilot'] });
    expect((await kernel.wraps.get('copilot')!.prepare(base)).env).toEqual({
      COPILOT_PROVIDER_TYPE: 'anthropic',
      COPILOT_PROVIDER_BASE_URL: 'http://127.0.0.1:4000',
      COPILOT_PROVIDER_API_KEY: 'lynkr-local',
      COPILOT_MODEL: 'claude-sonnet-4.5',
    });
  });

  it('openai: /v1, the wire API, the model and offline mode', async () => {
    kernel = await testKernel({ plugins: [['wrap-copilot', { providerType: 'openai', wireApi: 'responses', offline: true }]] });
    expect((await kernel.wraps.get('copilot')!.prepare(base)).env).toEqual({
      COPILOT_PROVIDER_TYPE: 'openai',
      COPILOT_PROVIDER_BASE_URL: 'http://127.0.0.1:4000/v1',
      COPILOT_PROVIDER_API_KEY: 'lynkr-local',
      COPILOT_MODEL: 'gpt-5',
      COPILOT_PROVIDER_WIRE_API: 'responses',
      COPILOT_OFFLINE: 'true',
    });
  });

  it('leaves the model to the caller who chose one', async () => {
    kernel = await testKernel({ plugins: [['wrap-copilot', { providerType: 'openai' }]] });
    const target = kernel.wraps.get('copilot')!;
    expect((await target.prepare({ ...base, env: { COPILOT_MODEL: 'qwen3' } })).env.COPILOT_MODEL).toBe('qwen3');
    expect((await target.prepare({ ...base, env: { COPILOT_PROVIDER_MODEL_ID: 'gpt-4.1' } })).env.COPILOT_MODEL).toBeUndefined();
    expect((await target.prepare({ ...base, args: ['--model=gpt-5'] })).env.COPILOT_MODEL).toBeUndefined();
  });

  it('refuses a provider type it does not support', async () => {
    await expect(testKernel({ plugins: [['wrap-copilot', { providerType: 'azure' }]] })).rejects.toMatchObject({ code: 'LYNKR_ERR_PLUGIN_OPTIONS' });
  });
});
