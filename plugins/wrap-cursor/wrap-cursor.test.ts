import { afterEach, describe, expect, it } from '@jest/globals';
import type { Kernel, WrapPrepareOptions } from '../../kernel/index.js';
import { testKernel } from '../../test/helpers/kernel.js';
import { isEditor } from './target.js';

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

const base = { baseUrl: 'http://127.0.0.1:4000', args: ['.'], env: {}, bin: '/home/u/.local/bin/cursor-agent', apiKey: 'lynkr-local', keyRequired: false } satisfies WrapPrepareOptions;
const ENV = { OPENAI_BASE_URL: 'http://127.0.0.1:4000/v1', OPENAI_API_BASE: 'http://127.0.0.1:4000/v1', ANTHROPIC_BASE_URL: 'http://127.0.0.1:4000' };

describe('wrap-cursor', () => {
  it('prefers the agent CLI, then the editor', async () => {
    kernel = await testKernel({ plugins: ['wrap-cursor'] });
    expect(kernel.wraps.get('cursor')!.binaries).toEqual(['cursor-agent', 'cursor']);
  });

  it('agent CLI: the base URL variables, arguments verbatim, and a notice', async () => {
    kernel = await testKernel({ plugins: ['wrap-cursor'] });
    const launch = await kernel.wraps.get('cursor')!.prepare(base);
    expect(launch).toEqual({ env: ENV, args: ['.'], notice: expect.stringContaining("cursor-agent sends its own model calls to Cursor's servers") });
  });

  it('editor: the same variables, and --wait so that Lynkr lives as long as the window', async () => {
    kernel = await testKernel({ plugins: ['wrap-cursor'] });
    const launch = await kernel.wraps.get('cursor')!.prepare({ ...base, bin: '/Applications/Cursor.app/Contents/Resources/app/bin/cursor' });
    expect(launch).toEqual({ env: ENV, args: ['--wait', '.'], notice: expect.stringContaining("Cursor's own AI features are called from Cursor's servers") });
  });

  it('tells the editor from the agent by the executable\'s name', () => {
    expect(['cursor', 'cursor.cmd', 'Cursor.exe', 'cursor-agent', 'agent'].map((b) => isEditor(`/x/${b}`))).toEqual([true, true, true, false, false]);
  });
});
