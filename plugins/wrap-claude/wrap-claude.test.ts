import { afterEach, describe, expect, it } from '@jest/globals';
import type { Kernel, WrapPrepareOptions } from '../../kernel/index.js';
import { testKernel } from '../../test/helpers/kernel.js';

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

const prepare = (k: Kernel, extra: Partial<WrapPrepareOptions> = {}) =>
  k.wraps.get('claude')!.prepare({ baseUrl: 'http://127.0.0.1:4000', args: ['-p', 'hi'], env: {}, bin: '/usr/bin/claude', apiKey: 'lynkr-local', keyRequired: false, ...extra });

describe('wrap-claude', () => {
  it('registers the claude target, with its bin option', async () => {
    kernel = await testKernel({ plugins: [['wrap-claude', { bin: '/opt/claude' }]] });
    expect(kernel.wraps.get('claude')).toMatchObject({ name: 'claude', binaries: ['claude'], bin: '/opt/claude', install: expect.stringContaining('@anthropic-ai/claude-code') });
  });

  it('sets ANTHROPIC_BASE_URL only, and passes the arguments verbatim', async () => {
    kernel = await testKernel({ plugins: ['wrap-claude'] });
    expect(await prepare(kernel)).toEqual({ env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:4000' }, args: ['-p', 'hi'] });
  });

  it('sends a required Lynkr key as an extra header, keeping the caller\'s headers', async () => {
    kernel = await testKernel({ plugins: ['wrap-claude'] });
    const launch = await prepare(kernel, { keyRequired: true, apiKey: 'lk-1', env: { ANTHROPIC_CUSTOM_HEADERS: 'x-a: 1\nX-Lynkr-Key: old' } });
    expect(launch.env).toEqual({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:4000', ANTHROPIC_CUSTOM_HEADERS: 'x-a: 1\nx-lynkr-key: lk-1' });
  });

  it('refuses unknown options', async () => {
    await expect(testKernel({ plugins: [['wrap-claude', { model: 'x' }]] })).rejects.toMatchObject({ code: 'LYNKR_ERR_PLUGIN_OPTIONS' });
  });
});
