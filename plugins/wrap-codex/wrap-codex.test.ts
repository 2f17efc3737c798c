import { afterEach, describe, expect, it } from '@jest/globals';
import type { Kernel } from '../../kernel/index.js';
import { testKernel } from '../../test/helpers/kernel.js';

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

describe('wrap-codex', () => {
  it('declares a Responses provider with -c overrides before the arguments, and sets its key variable', async () => {
    kernel = await testKernel({ plugins: [['wrap-codex', { model: 'gpt-5-codex' }]] });
    const target = kernel.wraps.get('codex')!;
    expect(target.binaries).toEqual(['codex']);
    const launch = await target.prepare({ baseUrl: 'http://127.0.0.1:4000', args: ['exec', 'hi'], env: {}, bin: '/usr/bin/codex', apiKey: 'lk-2', keyRequired: true });
    expect(launch).toEqual({
      env: { LYNKR_API_KEY: 'lk-2' },
      args: [
        '-c', 'model_provider="lynkr"',
        '-c', 'model_providers.lynkr.name="Lynkr"',
        '-c', 'model_providers.lynkr.base_url="http://127.0.0.1:4000/v1"',
        '-c', 'model_providers.lynkr.env_key="LYNKR_API_KEY"',
        '-c', 'model_providers.lynkr.wire_api="responses"',
        '-c', 'model="gpt-5-codex"',
        'exec', 'hi',
      ],
    });
  });
});
