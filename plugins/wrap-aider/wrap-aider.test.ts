import { afterEach, describe, expect, it } from '@jest/globals';
import type { Kernel, WrapPrepareOptions } from '../../kernel/index.js';
import { testKernel } from '../../test/helpers/kernel.js';

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

const base = { baseUrl: 'http://127.0.0.1:4000', args: ['--yes'], env: {}, bin: '/usr/bin/aider', apiKey: 'lk-3', keyRequired: true } satisfies WrapPrepareOptions;

describe('wrap-aider', () => {
  it('points both API families litellm reads at Lynkr, with Lynkr\'s key', async () => {
    kernel = await testKernel({ plugins: ['wrap-aider'] });
    expect(await kernel.wraps.get('aider')!.prepare(base)).toEqual({
      env: {
        OPENAI_API_BASE: 'http://127.0.0.1:4000/v1',
        OPENAI_BASE_URL: 'http://127.0.0.1:4000/v1',
        OPENAI_API_KEY: 'lk-3',
        ANTHROPIC_API_BASE: 'http://127.0.0.1:4000',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:4000',
        ANTHROPIC_API_KEY: 'lk-3',
      },
      args: ['--yes'],
    });
  });

  it('passes its model unless the arguments choose one', async () => {
    kernel = await testKernel({ plugins: [['wrap-aider', { model: 'openai/gpt-4.1' }]] });
    const target = kernel.wraps.get('aider')!;
    expect((await target.prepare(base)).args).toEqual(['--model', 'openai/gpt-4.1', '--yes']);
    expect((await target.prepare({ ...base, args: ['--model', 'anthropic/claude-sonnet-4-5'] })).args).toEqual(['--model', 'anthropic/claude-sonnet-4-5']);
  });
});
