import { afterEach, describe, expect, it } from '@jest/globals';
import { definePlugin, LynkrError, type Capabilities, type ContentBlock, type Kernel, type MessagesRequest, type PluginEntry } from '../../kernel/index.js';
import { messageToEvents } from '../../kernel/ir/stream.js';
import { answer, iterate, memoryLogger, request, testKernel, testSurface } from '../../test/helpers/kernel.js';
import { rngFor } from './policy.js';
import { banditRef, type BanditChoice, type BanditService } from './refs.js';

const CAPS: Record<string, Capabilities> = {
  'local:small': { tools: true, vision: false, thinking: false, maxOutputTokens: 4096, contextWindow: 32_000 },
  'local:medium': { tools: true, vision: false, thinking: false, maxOutputTokens: 8192, contextWindow: 64_000 },
  'cloud:sonnet': { tools: true, vision: true, thinking: true, maxOutputTokens: 64_000, contextWindow: 200_000 },
  'cloud:opus': { tools: true, vision: true, thinking: true, maxOutputTokens: 32_000, contextWindow: 200_000 },
  'cloud:haiku': { tools: true, vision: true, thinking: false, maxOutputTokens: 8192, contextWindow: 200_000 },
};

/**
 * The simulated upstreams. `succeeds` gives each model's chance of answering
 * (else a 503 before the first event); `midway` the models whose answer starts
 * and then fails (an `error` event, as Anthropic's "overloaded" mid-stream);
 * `content` what a success says.
 */
const world = {
  succeeds: {} as Record<string, number>,
  midway: new Set<string>(),
  content: (_req: MessagesRequest): Array<ContentBlock> => [{ type: 'text', text: 'done' }],
  rng: rngFor(1),
  calls: [] as string[],
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
        async invoke({ request: req, decision }) {
          const key = `${id}:${decision.model}`;
          world.calls.push(key);
          if (world.rng() >= (world.succeeds[key] ?? 1)) throw new LynkrError('LYNKR_ERR_UPSTREAM_HTTP', `${key} is down`, { status: 503 });
          if (world.midway.has(key)) {
            const [start] = messageToEvents(answer(req, '', decision.model));
            return { events: iterate([start!, { type: 'error' as const, error: { type: 'overloaded_error', message: `${key} is overloaded` } }]) };
          }
          const content = world.content(req);
          const stop = content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
          return { events: iterate(messageToEvents({ ...answer(req, '', decision.model), content, stop_reason: stop })) };
        },
      });
    }
  },
});

let service: BanditService;
const probe = definePlugin({
  name: 'bandit-probe',
  version: '1.0.0',
  kernel: '^1',
  dependsOn: ['bandit-linucb'],
  setup(ctx) {
    service = ctx.services.resolve(banditRef);
  },
});

// haiku is credentialed (its provider serves it) but no tier names it.
const TIERS = { simple: 'local:small', medium: 'local:medium', complex: 'cloud:sonnet', reasoning: 'cloud:opus' };

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  world.succeeds = {};
  world.midway.clear();
  world.content = () => [{ type: 'text', text: 'done' }];
  world.rng = rngFor(1);
  world.calls = [];
});

interface Boot {
  bandit?: Record<string, unknown> | false;
  tiers?: Record<string, unknown>;
  logger?: ReturnType<typeof memoryLogger>['log'];
  port?: number;
}

async function boot({ bandit = {}, tiers = {}, logger, port }: Boot = {}): Promise<Kernel> {
  const plugins: PluginEntry[] = [testSurface(), providers(), ['router-tiers', { ...TIERS, ...tiers }], 'intent-window'];
  if (bandit !== false) plugins.push(['bandit-linucb', { seed: 7, ...bandit }], probe());
  kernel = await testKernel({ plugins, ...(port !== undefined && { server: { port } }) }, logger ? { logger } : {});
  return kernel;
}

type Decision = { provider: string; model: string; tier: string; score?: number; side?: string; reasons: string[]; bandit?: BanditChoice };

async function route(body: MessagesRequest, headers: Record<string, string> = {}): Promise<{ status: number; decision: Decision | undefined; id: string }> {
  const res = await kernel!.inject({ method: 'POST', url: '/test/messages', payload: body as unknown as object, headers });
  return { status: res.statusCode, decision: res.statusCode === 200 ? (res.json().decision as Decision) : undefined, id: String(res.headers['x-request-id']) };
}

/** responseSent observers run on the next turn of the event loop; then the arms' writes. */
async function learned(): Promise<void> {
  await new Promise((r) => setImmediate(r));
  await service.settled();
}

const updates = (arm: string) => service.arms().find((a) => a.arm === arm)?.updates ?? 0;

// Turns router-tiers scores MEDIUM (20-44), one of them risky (it mentions tokens).
const MEDIUM = [
  'explain how the cache invalidation works in src/cache.ts',
  'write a unit test for parseDate in utils/date.ts',
  'update the README with the new install steps',
  'implement pagination for the /users endpoint in api/users.ts',
];
const RISKY = 'how does the login token refresh work?';
const VARIED = ['thanks!', ...MEDIUM, RISKY, 'Refactor the data access layer so every repository uses the new QueryBuilder instead of raw SQL strings.', 'ultrathink: is this lock-free queue correct?'];

const BASH = { name: 'Bash', description: 'Run a shell command', input_schema: { type: 'object', properties: { command: { type: 'string' } } } };
const NO_PINS = { affinity: { enabled: false } };

describe('bandit-linucb', () => {
  it('untrained, routes exactly as the tier router does', async () => {
    const without: Decision[] = [];
    await boot({ bandit: false, tiers: NO_PINS });
    for (const text of VARIED) without.push((await route(request(text, { tools: [BASH] }))).decision!);
    await kernel!.stop();
    await boot({ bandit: { epsilon: 0 }, tiers: NO_PINS });
    for (const [i, text] of VARIED.entries()) {
      const { decision } = await route(request(text, { tools: [BASH] }));
      expect(decision).toMatchObject({ provider: without[i]!.provider, model: without[i]!.model, tier: without[i]!.tier });
      expect(decision!.bandit).toMatchObject({ arm: `${without[i]!.provider}:${without[i]!.model}`, explored: false });
    }
  });

  it('never chooses a model no tier names, nor moves a turn further than maxTierShift, nor a risky one down', async () => {
    // Half the picks uniform, and a wide bound: as much exploration as the options allow.
    await boot({ bandit: { epsilon: 0.5, alpha: 3 }, tiers: NO_PINS });
    const chosen = new Set<string>();
    for (let i = 0; i < 120; i++) {
      const text = VARIED[i % VARIED.length]!;
      const { decision, status } = await route(request(text, { tools: [BASH] }));
      expect(status).toBe(200);
      chosen.add(`${decision!.provider}:${decision!.model}`);
      const tierRank = ['SIMPLE', 'MEDIUM', 'COMPLEX', 'REASONING'];
      const proposed = decision!.reasons[0]!.match(/^tier (\w+)/)![1]!;
      expect(Math.abs(tierRank.indexOf(decision!.tier) - tierRank.indexOf(proposed))).toBeLessThanOrEqual(1);
      if (text === RISKY) expect(decision!.model).not.toBe('small');
      if (MEDIUM.includes(text)) expect(decision!.model).not.toBe('opus');
      if (decision!.bandit) expect(decision!.bandit.propensity).toBeGreaterThan(0);
      await learned();
    }
    expect(chosen.has('cloud:haiku')).toBe(false);
    expect(world.calls).not.toContain('cloud:haiku');
    // It did explore: every tiered model served something.
    expect([...chosen].sort()).toEqual(['cloud:opus', 'cloud:sonnet', 'local:medium', 'local:small']);
    expect(service.arms().map((a) => a.arm)).not.toContain('cloud:haiku');
  });

  it('leaves side requests, tool exchanges and pinned conversations alone', async () => {
    await boot({ bandit: { epsilon: 0.5 } });
    const session = { 'x-claude-code-session-id': 'sess-1' };
    const probeCall = await route({ ...request('quota'), max_tokens: 1 }, session);
    expect(probeCall.decision).toMatchObject({ side: 'probe', tier: 'SIMPLE' });
    expect(probeCall.decision!.bandit).toBeUndefined();

    const first = await route(request(MEDIUM[0]!, { tools: [BASH] }), session);
    expect(first.decision!.bandit).toBeDefined();
    await learned();

    const toolUse = { type: 'tool_use' as const, id: 'tu_1', name: 'Bash', input: { command: 'ls' } };
    const exchange: MessagesRequest = {
      ...request(MEDIUM[0]!, { tools: [BASH] }),
      messages: [
        { role: 'user', content: MEDIUM[0]! },
        { role: 'assistant', content: [toolUse] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: 'a.ts' }] },
      ],
    };
    for (let i = 0; i < 10; i++) {
      const { decision } = await route(exchange, session);
      expect(decision!.bandit).toBeUndefined();
      expect(decision).toMatchObject({ provider: first.decision!.provider, model: first.decision!.model });
      expect(decision!.reasons.join(' ')).not.toMatch(/bandit/);
    }
    // A later typed turn of the pinned conversation: the pin serves, the bandit stays out.
    const later: MessagesRequest = { ...exchange, messages: [...exchange.messages, { role: 'assistant', content: 'done' }, { role: 'user', content: MEDIUM[1]! }] };
    for (let i = 0; i < 10; i++) {
      const { decision } = await route(later, session);
      expect(decision!.bandit).toBeUndefined();
      expect(decision!.reasons.join(' ')).toMatch(/pinned to/);
    }
    await learned();
    // It still learned from what the pinned model did.
    expect(updates(`${first.decision!.provider}:${first.decision!.model}`)).toBe(21);
  });

  it('rewards success, and takes off for cost and malformed tool calls; a failed attempt scores 0', async () => {
    const memory = memoryLogger('debug');
    await boot({ bandit: { epsilon: 0, prices: { 'cloud:sonnet': { input: 50_000, output: 50_000 } } }, tiers: NO_PINS, logger: memory.log });
    const rewards = () => memory.lines().filter((l) => l.msg === 'bandit reward').map((l) => (l.bandit as { arm: string; reward: number }));

    await route(request(MEDIUM[0]!, { tools: [BASH] }));
    await learned();
    expect(rewards().at(-1)!.arm).toBe('local:medium');
    expect(rewards().at(-1)!.reward).toBeGreaterThan(0.99);

    world.content = () => [
      { type: 'tool_use', id: 'tu_1', name: 'Bash', input: { command: 'ls' } },
      { type: 'tool_use', id: 'tu_2', name: 'Shell', input: { command: 'ls' } },
    ];
    await route(request(MEDIUM[0]!, { tools: [BASH] }));
    await learned();
    // Half the calls name a tool nobody offered: half the tool-call weight (0.5) off.
    expect(rewards().at(-1)!.reward).toBeCloseTo(0.75, 2);

    world.content = () => [{ type: 'text', text: 'done' }];
    // 5 tokens at 50 000 per million: 0.25, a penalty of 0.25 × 0.25 / (0.25 + 0.05).
    await route(request('Refactor the data access layer so every repository uses the new QueryBuilder instead of raw SQL strings.', { tools: [BASH] }));
    await learned();
    expect(rewards().at(-1)).toMatchObject({ arm: 'cloud:sonnet', cost: 0.25 });
    expect(rewards().at(-1)!.reward).toBeCloseTo(1 - 0.25 * (0.25 / 0.3), 2);

    world.succeeds['local:medium'] = 0;
    const before = updates('local:medium');
    expect((await route(request(MEDIUM[0]!, { tools: [BASH] }))).status).toBe(503);
    await learned();
    expect(updates('local:medium')).toBe(before + 1);
    expect(memory.lines().some((l) => l.msg === 'bandit decision' && (l.bandit as { propensity: number }).propensity === 1)).toBe(true);
  });

  it('scores an answer that fails mid-stream 0, as a failed attempt', async () => {
    const memory = memoryLogger('debug');
    await boot({ bandit: { epsilon: 0 }, tiers: NO_PINS, logger: memory.log });
    const rewarded = () => memory.lines().filter((l) => l.msg === 'bandit reward').length;
    world.midway.add('local:medium');
    expect((await route(request(MEDIUM[0]!, { tools: [BASH] }))).status).toBe(500);
    await learned();
    // Learned from (one update), with no reward: a success would have logged one.
    expect(updates('local:medium')).toBe(1);
    expect(rewarded()).toBe(0);
  });

  it('takes ratings at POST /v1/lynkr/feedback', async () => {
    await boot({ bandit: { epsilon: 0 }, tiers: NO_PINS, port: 0 });
    const { port } = await kernel!.start();
    const base = `http://127.0.0.1:${port}`;
    const res = await fetch(`${base}/test/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request(MEDIUM[1]!)) });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id')!;
    await learned();
    expect(updates('local:medium')).toBe(1);

    const rate = (body: unknown, raw?: string) =>
      fetch(`${base}/v1/lynkr/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(body) });
    const ok = await rate({ request_id: id, score: -1 });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ request_id: id, arm: 'local:medium', tier: 'MEDIUM', reward: 0 });
    expect(updates('local:medium')).toBe(2);

    const again = await rate({ request_id: id, score: 1 });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(/already rated/);
    expect((await rate({ request_id: 'req_nobody', score: 1 })).status).toBe(404);
    expect((await rate({ request_id: id, score: 3 })).status).toBe(400);
    expect((await rate({ score: 1 })).status).toBe(400);
    expect((await rate([1, 2])).status).toBe(400);
    expect((await rate(undefined, '{not json')).status).toBe(400);
    expect(updates('local:medium')).toBe(2);
  });
});

describe('bandit-linucb on a simulated environment', () => {
  it('moves the traffic to the model that succeeds, with bounded exploration', async () => {
    // MEDIUM turns: the tier's own model fails two times in three, the COMPLEX one rarely, the SIMPLE one half the time.
    world.succeeds = { 'local:medium': 0.35, 'cloud:sonnet': 0.9, 'local:small': 0.5, 'cloud:opus': 1 };
    // Every decision is logged with its propensity: the log is the record of what the bandit did, failed requests included.
    const memory = memoryLogger('debug');
    await boot({ bandit: {}, tiers: NO_PINS, logger: memory.log });
    const rounds = 300;
    for (let i = 0; i < rounds; i++) {
      await route(request(MEDIUM[i % MEDIUM.length]!, { tools: [BASH] }));
      await learned();
    }
    const decisions = memory
      .lines()
      .filter((l) => l.msg === 'bandit decision')
      .map((l) => l.bandit as { chosen: string; explored: boolean; propensity: number; arms: Array<{ arm: string }> });
    expect(decisions).toHaveLength(rounds);
    const served = decisions.map((d) => d.chosen);
    const explored = decisions.map((d) => d.explored);
    expect(world.calls).toEqual(served);
    for (const d of decisions) {
      expect(d.arms.map((a) => a.arm).sort()).toEqual(['cloud:sonnet', 'local:medium', 'local:small']);
      expect(d.propensity).toBeCloseTo(d.explored ? 0.02 / 3 : 1 - 0.02 + 0.02 / 3, 12);
    }
    const share = (from: number, arm: string) => served.slice(from).filter((a) => a === arm).length / (rounds - from);
    // The last hundred rounds: most of them on the model that succeeds.
    expect(share(rounds - 100, 'cloud:sonnet')).toBeGreaterThan(0.8);
    // Never further than one tier from MEDIUM, never a model no tier names.
    expect(served).not.toContain('cloud:opus');
    expect(served).not.toContain('cloud:haiku');
    // ε = 0.02 over 3 arms: about 4 uniform picks elsewhere in 300.
    expect(explored.filter(Boolean).length).toBeLessThanOrEqual(12);
    // Untrained, it started where the tier router sends these turns (unless ε said otherwise).
    expect(served[explored.indexOf(false)]).toBe('local:medium');
  });
});
