import { afterEach, describe, expect, it } from '@jest/globals';
import { definePlugin, type Capabilities, type Kernel, type Message, type MessagesRequest, type PluginEntry } from '../../kernel/index.js';
import { messageToEvents } from '../../kernel/ir/stream.js';
import { answer, iterate, request, testKernel, testSurface } from '../../test/helpers/kernel.js';

/** What the fake models can take. */
const CAPS: Record<string, Capabilities> = {
  'local:small': { tools: true, vision: false, thinking: false, maxOutputTokens: 4096, contextWindow: 32_000 },
  'local:medium': { tools: true, vision: false, thinking: false, maxOutputTokens: 8192, contextWindow: 64_000 },
  'cloud:sonnet': { tools: true, vision: true, thinking: true, maxOutputTokens: 64_000, contextWindow: 200_000 },
  'cloud:opus': { tools: true, vision: true, thinking: true, maxOutputTokens: 32_000, contextWindow: 200_000 },
};

const providers = definePlugin({
  name: 'fake-providers',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    for (const id of ['local', 'cloud']) {
      ctx.providers.register({
        id,
        wire: 'test',
        capabilities: (model) => CAPS[`${id}:${model}`]!,
        invoke: async ({ request: req, decision }) => ({ events: iterate(messageToEvents(answer(req, `${id}:${decision.model}`, decision.model))) }),
      });
    }
  },
});

const TIERS = { simple: 'local:small', medium: 'local:medium', complex: 'cloud:sonnet', reasoning: 'cloud:opus' };

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

const boot = async (options: Record<string, unknown> = TIERS) => (kernel = await testKernel({ plugins: [testSurface(), providers(), ['router-tiers', options]] }));

const CLAUDE = { 'user-agent': 'claude-cli/2.1.330 (external, cli)', 'x-app': 'cli' };

async function route(body: MessagesRequest, headers: Record<string, string> = {}) {
  const res = await kernel!.inject({ method: 'POST', url: '/test/messages', payload: body as unknown as object, headers });
  expect(res.statusCode).toBe(200);
  return res.json().decision as { provider: string; model: string; tier: string; score?: number; side?: string; reasons: string[] };
}

const BASH = { name: 'Bash', description: 'Run a shell command', input_schema: { type: 'object', properties: { command: { type: 'string' } } } };
const REFACTOR = 'Refactor the data access layer so every repository uses the new QueryBuilder instead of raw SQL strings.';

describe('router-tiers', () => {
  it('routes by what the user typed, and says why', async () => {
    await boot();
    expect(await route(request('thanks!'))).toEqual({
      provider: 'local',
      model: 'small',
      tier: 'SIMPLE',
      score: 0,
      reasons: ['tier SIMPLE: forced (thanks)'],
    });
    const refactor = await route(request(REFACTOR));
    expect(refactor).toMatchObject({ provider: 'cloud', model: 'sonnet', tier: 'COMPLEX' });
    expect(refactor.reasons[0]).toMatch(/^tier COMPLEX: score \d+ \(refactor 30, scope 14, length [\d.]+\)$/);
    expect(await route(request('ultrathink: is this lock-free queue correct?'))).toMatchObject({ model: 'opus', tier: 'REASONING', score: 100 });
  });

  it('scores only what the user typed: reminders, tools and history do not count', async () => {
    await boot({ ...TIERS, affinity: { enabled: false } });
    const bare = await route(request('rename the variable tmp to buffer in utils.ts'));
    const wrapped = await route(
      {
        ...request(''),
        system: [{ type: 'text', text: 'You are a coding agent. Think hard about security, migrations and production incidents.' }],
        tools: Array.from({ length: 24 }, (_, i) => ({ ...BASH, name: `Tool${i}`, description: 'refactor the entire architecture of distributed systems '.repeat(40) })),
        messages: [
          { role: 'user', content: 'Plan the migration of our monolith to microservices with zero downtime.' },
          { role: 'assistant', content: 'Done.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: '<system-reminder>\nThe security audit of the production database is due. Think hard.\n</system-reminder>\n' },
              { type: 'text', text: 'rename the variable tmp to buffer in utils.ts' },
            ],
          },
        ],
      },
      CLAUDE,
    );
    expect(wrapped).toEqual(bare);
    expect(bare.tier).toBe('SIMPLE');
  });

  it('lets any subset of tiers route: a missing tier borrows the nearest configured one above it', async () => {
    await boot({ simple: 'local:small', reasoning: 'cloud:opus' });
    const medium = await route(request('Write a Dockerfile for this Node 20 app with a multi-stage build.'));
    expect(medium).toMatchObject({ provider: 'cloud', model: 'opus', tier: 'MEDIUM' });
    expect(medium.reasons[0]).toMatch(/^tier MEDIUM \(on REASONING's model\): score/);
    await kernel!.stop();

    // Nothing above: the nearest below.
    await boot({ simple: 'local:small' });
    expect(await route(request(REFACTOR))).toMatchObject({ provider: 'local', model: 'small', tier: 'COMPLEX' });
  });

  it('overrides router-static, in whichever order the config lists them', async () => {
    for (const order of ['static-first', 'tiers-first']) {
      const tiers: PluginEntry = ['router-tiers', TIERS];
      const statik: PluginEntry = ['router-static', { target: 'local:medium' }];
      kernel = await testKernel({ plugins: [testSurface(), providers(), ...(order === 'static-first' ? [statik, tiers] : [tiers, statik])] });
      expect(await route(request(REFACTOR))).toMatchObject({ provider: 'cloud', model: 'sonnet', tier: 'COMPLEX' });
      // router-tiers proposes first whatever the config order, and router-static then leaves the decided request alone.
      expect(kernel.stages().route).toEqual(['router-tiers (pre)', 'router-static', 'router-tiers (post)']);
      await kernel.stop();
      kernel = undefined;
    }
  });

  it('leaves a decision an earlier pre handler made on purpose', async () => {
    const pinned = definePlugin({
      name: 'operator-override',
      version: '1.0.0',
      kernel: '^1',
      setup: (ctx) => void ctx.hooks.on('route', (d) => ({ ...d, provider: 'local', model: 'medium', reasons: ['operator'] }), { order: 'pre' }),
    });
    kernel = await testKernel({ plugins: [testSurface(), providers(), pinned(), ['router-tiers', TIERS]] });
    expect(await route(request(REFACTOR))).toEqual({ provider: 'local', model: 'medium', reasons: ['operator'] });
  });

  it('refuses to start when a tier names an unregistered provider, or when no tier is configured', async () => {
    kernel = await testKernel({ plugins: [providers(), ['router-tiers', { ...TIERS, complex: ['cloud:sonnet', 'clod:sonnet'] }]], server: { port: 0 } });
    await expect(kernel.start()).rejects.toMatchObject({
      message: 'plugin "router-tiers" failed in ready: tier COMPLEX names "clod:sonnet", whose provider "clod" no enabled plugin registers (registered: local, cloud)',
    });
    await kernel.stop();
    kernel = undefined;
    await expect(testKernel({ plugins: [providers(), ['router-tiers', {}]] })).rejects.toMatchObject({
      code: 'LYNKR_ERR_PLUGIN_OPTIONS',
      message: expect.stringContaining('no tier is configured'),
    });
    await expect(testKernel({ plugins: [providers(), ['router-tiers', { ...TIERS, bands: { complex: 10 } }]] })).rejects.toMatchObject({
      message: expect.stringContaining('bands must rise: medium (20) < complex (10) < reasoning (70)'),
    });
    await expect(testKernel({ plugins: [providers(), ['router-tiers', { simple: 'local' }]] })).rejects.toMatchObject({
      code: 'LYNKR_ERR_PLUGIN_OPTIONS',
      message: expect.stringContaining('plugins[1].simple'),
    });
  });

  it('takes weights and bands from the config', async () => {
    await boot({ ...TIERS, weights: { build: 60 }, bands: { medium: 10, complex: 50, reasoning: 90 } });
    expect(await route(request('Write a Dockerfile for this Node 20 app with a multi-stage build.'))).toMatchObject({ tier: 'COMPLEX' });
  });
});

describe('capability guards', () => {
  const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo='.repeat(10_000) } } as const;

  it('sends images to a model with vision, whatever the tier', async () => {
    await boot();
    const decision = await route({ ...request(''), messages: [{ role: 'user', content: [image, { type: 'text', text: 'what is this?' }] }] });
    expect(decision).toMatchObject({ provider: 'cloud', model: 'sonnet', tier: 'COMPLEX' });
    expect(decision.reasons.at(-1)).toBe('guard: local:small cannot take it (images need vision) → cloud:sonnet');
  });

  it('moves a request that exceeds the context window to a model it fits', async () => {
    await boot();
    const long = 'x '.repeat(60_000);
    const decision = await route({ ...request(''), messages: [{ role: 'user', content: long }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'hi' }] });
    expect(decision).toMatchObject({ provider: 'local', model: 'medium', tier: 'MEDIUM' });
    expect(decision.reasons.at(-1)).toMatch(/^guard: local:small cannot take it \(~\d+ tokens \+ 64 output exceed its 32000-token context\) → local:medium$/);
  });

  it('goes where it fits best when no model can take it, and says so', async () => {
    await boot();
    const huge = 'x '.repeat(400_000);
    const decision = await route({ ...request(''), messages: [{ role: 'user', content: huge }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'hi' }] });
    expect(decision).toMatchObject({ provider: 'cloud', model: 'sonnet' });
    expect(decision.reasons.at(-1)).toMatch(/^guard: no configured model fits \(.*\); best effort cloud:sonnet$/);
  });
});

describe('session affinity', () => {
  const session = (id: string) => ({ ...CLAUDE, 'x-claude-code-session-id': id });
  const turn = (messages: Message[]): MessagesRequest => ({ model: 'claude-sonnet-4-5', max_tokens: 32_000, tools: [BASH], messages });
  const toolUse = (id: string): Message => ({ role: 'assistant', content: [{ type: 'tool_use', id, name: 'Bash', input: { command: 'ls' } }] });
  const toolResult = (id: string, typed?: string): Message => ({
    role: 'user',
    content: [{ type: 'tool_result', tool_use_id: id, content: 'a.ts b.ts' }, ...(typed ? [{ type: 'text' as const, text: typed }] : [])],
  });

  it('keeps the pinned model through a tool exchange, escalates on a clearly harder typed turn, and never moves down', async () => {
    await boot();
    const h = session('s-1');
    const first: Message = { role: 'user', content: 'add a trailing newline to package.json' };
    expect(await route(turn([first]), h)).toMatchObject({ model: 'small', tier: 'SIMPLE' });

    // The user's queued message rides along with a tool result: the tool call's model must see that result.
    const queued = 'ultrathink: why does our distributed lock sometimes let two workers run the same job?';
    const duringTools = await route(turn([first, toolUse('t1'), toolResult('t1', queued)]), h);
    expect(duringTools).toMatchObject({ provider: 'local', model: 'small', tier: 'SIMPLE', score: 100 });
    expect(duringTools.reasons.at(-1)).toBe('pinned to local:small (SIMPLE): tool exchange in progress');

    // The next typed turn is free to escalate, and the pin follows.
    const history = [first, toolUse('t1'), toolResult('t1'), { role: 'assistant', content: 'Done.' } as Message];
    const escalated = await route(turn([...history, { role: 'user', content: queued }]), h);
    expect(escalated).toMatchObject({ provider: 'cloud', model: 'opus', tier: 'REASONING' });
    expect(escalated.reasons.at(-1)).toBe('escalated from pinned SIMPLE');

    // A light turn later in the same conversation stays on the pinned model.
    const light = await route(turn([...history, { role: 'user', content: queued }, { role: 'assistant', content: 'Here is why.' }, { role: 'user', content: 'thanks!' }]), h);
    expect(light).toMatchObject({ model: 'opus', tier: 'REASONING', score: 0 });
    expect(light.reasons.at(-1)).toBe('pinned to cloud:opus (REASONING): conversation stays');

    // A new conversation in the same session (after /clear, or a subagent) routes afresh.
    expect(await route(turn([{ role: 'user', content: 'what port does the dev server run on?' }]), h)).toMatchObject({ model: 'small', tier: 'SIMPLE' });
  });

  it('does not escalate on a turn only slightly above the pinned tier', async () => {
    await boot();
    const h = session('s-2');
    const first: Message = { role: 'user', content: 'Write a Dockerfile for this Node 20 app with a multi-stage build.' };
    expect(await route(turn([first]), h)).toMatchObject({ tier: 'MEDIUM' });
    // Scores in COMPLEX's band but less than 10 points into it.
    const next = await route(turn([first, { role: 'assistant', content: 'Done.' }, { role: 'user', content: 'Convert the whole codebase from CommonJS to ESM, including the build scripts and the jest config.' }]), h);
    expect(next.score).toBeGreaterThanOrEqual(45);
    expect(next.score).toBeLessThan(55);
    expect(next).toMatchObject({ model: 'medium', tier: 'MEDIUM' });
  });

  it('pins conversations without a session id by a fingerprint of their opening', async () => {
    await boot();
    const system = 'You are a coding agent.';
    const first: Message = { role: 'user', content: REFACTOR };
    expect(await route({ ...turn([first]), system })).toMatchObject({ model: 'sonnet' });
    expect(await route({ ...turn([first, toolUse('t'), toolResult('t')]), system })).toMatchObject({ model: 'sonnet', reasons: expect.arrayContaining(['pinned to cloud:sonnet (COMPLEX): tool exchange in progress']) });
    // Another conversation (another opening) is another fingerprint.
    expect(await route({ ...turn([{ role: 'user', content: 'hi' }, toolUse('t'), toolResult('t')]), system })).toMatchObject({ model: 'small' });
  });

  it('can be turned off', async () => {
    await boot({ ...TIERS, affinity: { enabled: false } });
    const h = session('s-3');
    const first: Message = { role: 'user', content: REFACTOR };
    await route(turn([first]), h);
    const next = await route(turn([first, { role: 'assistant', content: 'Done.' }, { role: 'user', content: 'thanks!' }]), h);
    expect(next).toMatchObject({ model: 'small', tier: 'SIMPLE' });
  });
});

describe('side requests', () => {
  const h = { ...CLAUDE, 'x-claude-code-session-id': 's-side' };
  const first: Message = { role: 'user', content: REFACTOR };
  const main = (messages: Message[]): MessagesRequest => ({ model: 'claude-sonnet-4-5', max_tokens: 32_000, tools: [BASH], messages });

  it('go to SIMPLE without reading or moving the pin', async () => {
    await boot();
    expect(await route(main([first]), h)).toMatchObject({ model: 'sonnet', tier: 'COMPLEX' });

    const title: MessagesRequest = {
      model: 'claude-haiku-4-5',
      max_tokens: 512,
      system: [{ type: 'text', text: 'Summarize the main topic of this conversation as a title.' }],
      messages: [{ role: 'user', content: REFACTOR }],
      output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { title: { type: 'string' } } } } },
    };
    expect(await route(title, h)).toEqual({ provider: 'local', model: 'small', tier: 'SIMPLE', side: 'title', reasons: ['side request (title): SIMPLE'] });

    const suggestion = main([first, { role: 'assistant', content: 'Done.' }, { role: 'user', content: '[SUGGESTION MODE: Suggest what the user might naturally type next into Claude Code.]' }]);
    expect(await route(suggestion, h)).toMatchObject({ model: 'small', side: 'suggestion' });
    expect(await route({ ...main([{ role: 'user', content: 'quota' }]), max_tokens: 1 }, h)).toMatchObject({ model: 'small', side: 'probe' });

    // The conversation is still pinned where it was.
    expect(await route(main([first, { role: 'assistant', content: 'Done.' }, { role: 'user', content: 'ok' }]), h)).toMatchObject({ model: 'sonnet', tier: 'COMPLEX' });
  });

  it('keep a compaction on the pinned model, without moving the pin', async () => {
    await boot();
    await route(main([first]), h);
    const compaction = main([first, { role: 'assistant', content: 'Done.' }, { role: 'user', content: 'Your task is to create a detailed summary of the conversation so far, paying close attention to the user\'s explicit requests.' }]);
    const decision = await route(compaction, h);
    expect(decision).toMatchObject({ model: 'sonnet', side: 'compaction' });
    expect(decision.reasons.at(-1)).toBe('pinned to cloud:sonnet (COMPLEX): compaction of its conversation');
  });

  it('can be turned off: a plain API client without tools gets full routing either way', async () => {
    await boot({ ...TIERS, sideRequests: { enabled: false } });
    expect(await route({ ...request('quota'), max_tokens: 1 }, h)).not.toHaveProperty('side');
    await kernel!.stop();
    await boot();
    expect(await route(request(REFACTOR))).toMatchObject({ tier: 'COMPLEX' });
  });
});
