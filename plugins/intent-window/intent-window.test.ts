import { afterEach, describe, expect, it } from '@jest/globals';
import { definePlugin, type Kernel, type Message, type MessagesRequest } from '../../kernel/index.js';
import { messageToEvents } from '../../kernel/ir/stream.js';
import { answer, iterate, testKernel, testSurface } from '../../test/helpers/kernel.js';
import { intentWindowOptionsFromEnv } from '../../config/env-routing.js';

const provider = definePlugin({
  name: 'fake-provider',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    ctx.providers.register({ id: 'p', wire: 'test', invoke: async ({ request: req }) => ({ events: iterate(messageToEvents(answer(req, 'ok'))) }) });
  },
});
const TIERS = { simple: 'p:small', medium: 'p:medium', complex: 'p:large', reasoning: 'p:xlarge', affinity: { enabled: false } };

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

const route = async (messages: Message[]) => {
  const body: MessagesRequest = { model: 'm', max_tokens: 100, messages };
  return (await kernel!.inject({ method: 'POST', url: '/test/messages', payload: body as unknown as object })).json().decision;
};
const PLAN = 'Plan the migration of our monolith to microservices: which boundaries to cut first, how to handle shared database tables, data consistency between services, and a rollout strategy with no downtime.';

describe('intent-window', () => {
  it('keeps a hard request from a turn ago in play, fading with age', async () => {
    kernel = await testKernel({ plugins: [testSurface(), provider(), ['router-tiers', TIERS], 'intent-window'] });
    const one = await route([{ role: 'user', content: PLAN }, { role: 'assistant', content: 'Here is the plan.' }, { role: 'user', content: 'ok, go ahead' }]);
    expect(one).toMatchObject({ model: 'xlarge', tier: 'REASONING', score: 70 });
    expect(one.reasons).toEqual(['tier SIMPLE: score 0', 'window: the message 1 back scored 100, × 0.7^1 = 70 → REASONING']);

    const later = await route([
      { role: 'user', content: PLAN },
      { role: 'assistant', content: 'Here is the plan.' },
      { role: 'user', content: 'ok, go ahead' },
      { role: 'assistant', content: 'Done with step 1.' },
      { role: 'user', content: 'continue' },
      { role: 'assistant', content: 'Done with step 2.' },
      { role: 'user', content: 'continue' },
    ]);
    // Three typed turns back: 100 × 0.7³.
    expect(later).toMatchObject({ model: 'medium', tier: 'MEDIUM', score: 34.3 });
  });

  it('runs after router-tiers proposes and before it pins, whatever the config order', async () => {
    kernel = await testKernel({ plugins: [testSurface(), provider(), 'intent-window', ['router-tiers', TIERS]] });
    expect(kernel.stages().route).toEqual(['router-tiers (pre)', 'intent-window', 'router-tiers (post)']);
  });

  it('needs router-tiers', async () => {
    await expect(testKernel({ plugins: [provider(), 'intent-window'] })).rejects.toMatchObject({ code: 'LYNKR_ERR_PLUGIN_DEPENDENCY_MISSING' });
  });

  it('takes its options from the config', async () => {
    kernel = await testKernel({ plugins: [testSurface(), provider(), ['router-tiers', TIERS], ['intent-window', { size: 1 }]] });
    expect(await route([{ role: 'user', content: PLAN }, { role: 'assistant', content: 'Here is the plan.' }, { role: 'user', content: 'ok, go ahead' }])).toMatchObject({ tier: 'SIMPLE' });
  });
});

describe('intentWindowOptionsFromEnv', () => {
  it('maps LYNKR_INTENT_WINDOW_N and LYNKR_INTENT_DECAY', () => {
    expect(intentWindowOptionsFromEnv({})).toEqual({});
    expect(intentWindowOptionsFromEnv({ LYNKR_INTENT_WINDOW_N: '8', LYNKR_INTENT_DECAY: '0.5' })).toEqual({ size: 8, decay: 0.5 });
  });

  it('refuses malformed values, naming the variable', () => {
    expect(() => intentWindowOptionsFromEnv({ LYNKR_INTENT_WINDOW_N: '0' })).toThrow('LYNKR_INTENT_WINDOW_N=0 is not a whole number of at least 1');
    expect(() => intentWindowOptionsFromEnv({ LYNKR_INTENT_DECAY: '1.5' })).toThrow('LYNKR_INTENT_DECAY=1.5 is not a number in (0, 1]');
    expect(() => intentWindowOptionsFromEnv({ LYNKR_INTENT_DECAY: 'fast' })).toThrow('LYNKR_INTENT_DECAY=fast');
  });
});
