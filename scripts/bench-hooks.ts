/**
 * The pipeline's own cost per request: ten no-op plugins on every stage
 * (preRoute, route, invoke, postResponse, responseSent, toolExec guards),
 * a provider that answers from memory, events consumed as an API plugin would.
 *
 *   npm run bench:hooks [-- --requests 50000]
 *
 * Prints µs per request: consuming the provider's stream directly (what any
 * gateway pays), the kernel with 0 plugins, and with 10 no-op plugins on
 * every stage. The pipeline's own cost is the last minus the first.
 * Target: ≤ 20 µs with 10 plugins.
 *
 * Each variant runs in a fresh process (so one variant's JIT state and heap do
 * not tax the next), several times interleaved; the figures are medians.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createExchange, createKernel, definePlugin, messageToEvents, resolveConfig, type Exchange, type MessagesRequest, type PluginInstance } from '../kernel/index.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    runs: { type: 'string', default: '5' },
    variant: { type: 'string' },
  },
});
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);

const request: MessagesRequest = { model: 'bench', max_tokens: 16, messages: [{ role: 'user', content: 'hello' }] };
const events = messageToEvents({
  id: 'msg_bench',
  type: 'message',
  role: 'assistant',
  model: 'bench',
  content: [{ type: 'text', text: 'hi' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 1, output_tokens: 1 },
});

async function* replay() {
  yield* events;
}

const provider = definePlugin({
  name: 'bench-provider',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    ctx.providers.register({ id: 'mem', wire: 'memory', invoke: async () => ({ events: replay() }) });
    ctx.hooks.on('route', (d) => (d.provider ? undefined : { ...d, provider: 'mem' }));
  },
});

const noop = (i: number): PluginInstance =>
  definePlugin({
    name: `noop-${i}`,
    version: '1.0.0',
    kernel: '^1',
    setup(ctx) {
      ctx.hooks.on('preRoute', () => undefined);
      ctx.hooks.on('route', () => undefined);
      ctx.hooks.on('invoke', (_call, next) => next());
      ctx.hooks.on('postResponse', () => undefined);
      ctx.hooks.on('responseSent', () => undefined);
      ctx.hooks.on('toolExec', { guard: () => undefined });
    },
  })();

async function measure(plugins: number): Promise<[number, number]> {
  const config = resolveConfig(
    { storage: 'memory://', plugins: [...Array.from({ length: plugins }, (_, i) => noop(i)), provider()] },
    { cwd: process.cwd(), source: 'inline', env: {} },
  );
  const kernel = await createKernel(config, { logger: pino({ level: 'silent' }) });
  const exchange = (): Exchange => createExchange({ id: 'bench', surface: 'bench', log: kernel.log });
  const once = async () => {
    const result = await kernel.pipeline.handle(request, exchange());
    for await (const _ of result.events);
  };
  const us = await time(once);
  await kernel.stop();
  return us;
}

/**
 * µs per request over rounds: the best round and the median one. The best is
 * the usual estimator for CPU-bound microbenchmarks on a shared machine
 * (noise only ever adds time); the median is printed beside it. Each request ends with a turn of the
 * event loop, as a request arriving over a socket would: deferred work (the
 * responseSent observers) runs, and nothing piles up across requests.
 */
async function time(once: () => Promise<void>): Promise<[best: number, median: number]> {
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  for (let i = 0; i < 5000; i++) {
    await once();
    await turn();
  }
  const perRound: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < REQUESTS; i++) {
      await once();
      await turn();
    }
    perRound.push(Number(process.hrtime.bigint() - t0) / 1000 / REQUESTS);
  }
  perRound.sort((a, b) => a - b);
  return [perRound[0]!, perRound[Math.floor(perRound.length / 2)]!];
}

function direct(): Promise<[number, number]> {
  return time(async () => {
    const result = await (async () => ({ events: replay() }))();
    for await (const _ of result.events);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (values.variant) {
  const us = values.variant === 'direct' ? await direct() : await measure(Number(values.variant));
  process.stdout.write(`${us.join(' ')}\n`);
} else {
  const variants = ['direct', '0', '10'] as const;
  const best: Record<string, number[]> = { direct: [], '0': [], '10': [] };
  const mid: Record<string, number[]> = { direct: [], '0': [], '10': [] };
  const self = fileURLToPath(import.meta.url);
  for (let run = 0; run < Number(values.runs); run++) {
    for (const variant of variants) {
      const out = execFileSync(process.execPath, [...process.execArgv, self, '--variant', variant, '--requests', values.requests!, '--rounds', values.rounds!], { encoding: 'utf8' });
      const [b, m] = out.trim().split(' ').map(Number) as [number, number];
      best[variant]!.push(b);
      mid[variant]!.push(m);
    }
  }
  const fig = (v: string) => [Math.min(...best[v]!), median(mid[v]!)] as const;
  const [floor, base, ten] = variants.map(fig);
  const line = (label: string, [b, m]: readonly [number, number]) => `${label.padEnd(40)} ${b.toFixed(2).padStart(7)} µs best ${m.toFixed(2).padStart(7)} µs median`;
  console.log(`pipeline cost per request, ${values.runs} fresh processes per variant × ${ROUNDS} rounds × ${REQUESTS} requests of ${events.length} events (node ${process.version})`);
  console.log(line('provider stream consumed directly', floor!));
  console.log(line('kernel, 0 plugins', base!));
  console.log(line('kernel, 10 no-op plugins on every stage', ten!));
  const cost = [ten![0] - floor![0], ten![1] - floor![1]] as const;
  console.log(line('pipeline cost with 10 plugins', cost));
  console.log(`target ≤ 20 µs per request with 10 plugins: ${cost[0] <= 20 ? 'met' : 'NOT met'} (best), ${cost[1] <= 20 ? 'met' : 'NOT met'} (median)`);
}
