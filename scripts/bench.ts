/**
 * What Lynkr adds to a request, measured against what one extra loopback hop
 * costs on this machine. All in one run, on the same fake upstream:
 *
 *   direct   the client calls the fake OpenAI upstream itself;
 *   floor    through a minimal pass-through proxy (node:http + an undici pool, no parsing);
 *   fastify  the same pass-through on fastify, the framework Lynkr is built on: what the
 *            framework alone adds, for reference (the targets are against the floor);
 *   lynkr    the default configuration (every built-in plugin of `npm start`):
 *            Anthropic Messages in, the OpenAI provider out, streaming and not;
 *            and the two OpenAI surfaces in (Chat Completions, Responses);
 *   portkey  @portkey-ai/gateway, a peer, proxying Chat Completions to the same upstream.
 *
 * Sequential requests on keep-alive connections in interleaved rounds give the
 * latency figures (a ratio to the floor's is printed both from the medians of
 * the whole run and as the median of the rounds' own ratios); autocannon at 50
 * connections gives throughput. Then 1,000 concurrent slow streams through
 * Lynkr (each open about 3 s), with Lynkr's RSS sampled. Each server runs in
 * its own process.
 *
 *   npm run bench [-- --rounds 20 --per-round 100 --duration 10 --load-rounds 5 --streams 1000]
 *   npm run bench -- --soak 10m     steady load for 10 minutes; Lynkr's RSS growth
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { repoRoot, Servers } from './bench/servers.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    'per-round': { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
    /** The load phase's rounds: each target runs duration ÷ rounds seconds per round, in turn. */
    'load-rounds': { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
    streams: { type: 'string', default: '1000' },
    'stream-gap-ms': { type: 'string', default: '3000' },
    soak: { type: 'string' },
    'no-portkey': { type: 'boolean', default: false },
    'streams-only': { type: 'boolean', default: false },
    /** Node flags for the Lynkr process only (the others keep their defaults), e.g. `--max-semi-space-size=2`. */
    'lynkr-node-flags': { type: 'string', default: '' },
  },
});
const ROUNDS = Number(values.rounds);
const PER_ROUND = Number(values['per-round']);
const here = path.dirname(fileURLToPath(import.meta.url));
const servers = new Servers();

async function start(script: string, args: string[] = []): Promise<string> {
  return (await startChild(script, args)).origin;
}

function startChild(script: string, args: string[] = []): Promise<{ origin: string; pid: number }> {
  const flags = script === 'lynkr-server.js' ? values['lynkr-node-flags'].split(' ').filter(Boolean) : [];
  return servers.startProcess(process.execPath, [...flags, path.join(here, 'bench', script), ...args]);
}

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Portkey's gateway (a devDependency) on a free port, headless; resolves once it answers. */
async function startPortkey(): Promise<string> {
  const port = await freePort();
  const entry = path.join(repoRoot(), 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  servers.spawn(process.execPath, [entry, `--port=${port}`, '--headless'], { stdio: 'ignore', env: { ...process.env, NODE_ENV: 'production' } });
  const origin = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${origin}/`)).ok) return origin;
    } catch {
      // Not listening yet.
    }
    await delay(100);
  }
  throw new Error('portkey did not start within 30 s');
}

/** A process's resident set size in MB (Linux /proc). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

interface Target {
  name: string;
  origin: string;
  path: string;
  body: string;
  stream: boolean;
  headers?: Record<string, string>;
}

const BASE_HEADERS = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'dummy', authorization: 'Bearer dummy' };

const openaiBody = (stream: boolean) =>
  JSON.stringify({ model: 'bench', max_tokens: 64, stream, ...(stream ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content: 'Say hello.' }] });
const anthropicBody = (stream: boolean) => JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, stream, messages: [{ role: 'user', content: 'Say hello.' }] });
const responsesBody = (stream: boolean) => JSON.stringify({ model: 'gpt-4.1', max_output_tokens: 64, stream, store: false, input: 'Say hello.' });

/**
 * One request: milliseconds to the first body byte and to the end, and
 * Lynkr's own time as its `x-lynkr-overhead-ms` header reports it (NaN from
 * a target that sends none).
 */
async function call(pool: Pool, t: Target): Promise<{ ttfb: number; total: number; own: number }> {
  const t0 = process.hrtime.bigint();
  const res = await pool.request({
    method: 'POST',
    path: t.path,
    headers: { ...BASE_HEADERS, ...t.headers },
    body: t.body,
  });
  let ttfb = 0;
  for await (const _ of res.body) if (!ttfb) ttfb = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.statusCode !== 200) throw new Error(`${t.name}: HTTP ${res.statusCode}`);
  return { ttfb, total: Number(process.hrtime.bigint() - t0) / 1e6, own: Number(res.headers['x-lynkr-overhead-ms'] ?? NaN) };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function main(): Promise<void> {
  if (values.soak) return soak(parseDuration(values.soak));
  if (values['streams-only']) {
    const s = await slowStreams(Number(values.streams), Number(values['stream-gap-ms']));
    console.log(JSON.stringify(s));
    return;
  }
  const upstream = await start('upstream.js');
  const floor = await start('floor-proxy.js', ['--upstream', upstream]);
  const fastify = await start('fastify-floor.js', ['--upstream', upstream]);
  const lynkr = await start('lynkr-server.js', ['--upstream', upstream]);
  const portkey = values['no-portkey'] ? undefined : await startPortkey();
  const portkeyHeaders = { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream}/v1`, authorization: 'Bearer sk-bench' };

  const targets: Target[] = [
    { name: 'direct', origin: upstream, path: '/v1/chat/completions', body: openaiBody(false), stream: false },
    { name: 'floor', origin: floor, path: '/v1/chat/completions', body: openaiBody(false), stream: false },
    { name: 'fastify', origin: fastify, path: '/v1/chat/completions', body: openaiBody(false), stream: false },
    { name: 'lynkr', origin: lynkr, path: '/v1/messages', body: anthropicBody(false), stream: false },
    { name: 'lynkr chat', origin: lynkr, path: '/v1/chat/completions', body: openaiBody(false), stream: false },
    { name: 'lynkr responses', origin: lynkr, path: '/v1/responses', body: responsesBody(false), stream: false },
    { name: 'direct stream', origin: upstream, path: '/v1/chat/completions', body: openaiBody(true), stream: true },
    { name: 'floor stream', origin: floor, path: '/v1/chat/completions', body: openaiBody(true), stream: true },
    { name: 'lynkr stream', origin: lynkr, path: '/v1/messages', body: anthropicBody(true), stream: true },
    { name: 'lynkr chat stream', origin: lynkr, path: '/v1/chat/completions', body: openaiBody(true), stream: true },
    { name: 'lynkr responses stream', origin: lynkr, path: '/v1/responses', body: responsesBody(true), stream: true },
    ...(portkey
      ? [
          // Non-streaming only: its stream path answers the bench upstream's usage chunk (`choices: []`) with a 500.
          { name: 'portkey', origin: portkey, path: '/v1/chat/completions', body: openaiBody(false), stream: false, headers: portkeyHeaders },
        ]
      : []),
  ];
  const pools = new Map(targets.map((t) => [t.name, new Pool(t.origin, { connections: 1 })]));
  const samples = new Map(targets.map((t) => [t.name, { ttfb: [] as number[], total: [] as number[], own: [] as number[] }]));
  /** Each round's median total per target: the rounds' own ratios. */
  const roundMedians = new Map(targets.map((t) => [t.name, [] as number[]]));

  for (const t of targets) for (let i = 0; i < 200; i++) await call(pools.get(t.name)!, t); // warm-up: JIT, pools, connections
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of targets) {
      const s = samples.get(t.name)!;
      const totals: number[] = [];
      for (let i = 0; i < PER_ROUND; i++) {
        const r = await call(pools.get(t.name)!, t);
        s.ttfb.push(r.ttfb);
        s.total.push(r.total);
        if (!Number.isNaN(r.own)) s.own.push(r.own);
        totals.push(r.total);
      }
      roundMedians.get(t.name)!.push(pct(totals, 50));
    }
  }

  const stat = (name: string, key: 'ttfb' | 'total') => ({ p50: pct(samples.get(name)![key], 50), p99: pct(samples.get(name)![key], 99) });
  const seq = Object.fromEntries(targets.map((t) => [t.name, { total: stat(t.name, 'total'), ttfb: stat(t.name, 'ttfb') }]));

  // Throughput in interleaved rounds too: the machine's other tenants drift over a run, and one long run per
  // target would put that drift between the targets. A ratio is the median of the rounds' ratios.
  const loadRounds = Math.max(1, Number(values['load-rounds']));
  const perRun = Math.max(1, Number(values.duration) / loadRounds);
  const loadSamples = new Map<string, number[]>();
  for (let round = 0; round < loadRounds; round++) {
    for (const t of targets.filter((x) => !x.stream)) {
      const result = await autocannon({
        url: `${t.origin}${t.path}`,
        method: 'POST',
        headers: { ...BASE_HEADERS, ...t.headers },
        body: t.body,
        connections: Number(values.connections),
        duration: perRun,
      });
      if (result.non2xx || result.errors) throw new Error(`${t.name}: ${result.non2xx} non-2xx, ${result.errors} errors under load`);
      const samples = loadSamples.get(t.name) ?? [];
      samples.push(result.requests.total / (result.duration || perRun));
      loadSamples.set(t.name, samples);
    }
  }
  const load: Record<string, number> = Object.fromEntries([...loadSamples].map(([name, xs]) => [name, pct(xs, 50)]));
  const floorLoad = loadSamples.get('floor')!;
  /** A target's throughput ÷ the floor's, round by round, the median. */
  const loadRatio = (name: string) => pct(loadSamples.get(name)!.map((x, i) => x / floorLoad[i]!), 50);

  for (const pool of pools.values()) await pool.close();
  servers.stop();
  const streams = await slowStreams(Number(values.streams), Number(values['stream-gap-ms']));

  const d = seq.direct!;
  const added = (name: string) => seq[name]!.total.p50 - d.total.p50;
  const addedStream = (name: string) => seq[name]!.ttfb.p50 - seq['direct stream']!.ttfb.p50;
  const surfaces = ['lynkr', 'lynkr chat', 'lynkr responses'];
  /** A target's added median ÷ the floor's, round by round (each against the same round's direct call), the median. */
  const roundRatio = (name: string) => {
    const direct = roundMedians.get('direct')!;
    const floorRounds = roundMedians.get('floor')!;
    return pct(
      roundMedians.get(name)!.map((x, i) => (x - direct[i]!) / (floorRounds[i]! - direct[i]!)),
      50,
    );
  };
  const figures = {
    sequential: seq,
    addedMedianMs: Object.fromEntries(['floor', 'fastify', ...surfaces].map((n) => [n, added(n)])),
    roundRatio: Object.fromEntries(['fastify', ...surfaces].map((n) => [n, roundRatio(n)])),
    addedTtfbMs: Object.fromEntries(['floor', ...surfaces].map((n) => [n, addedStream(`${n} stream`)])),
    p99Ms: Object.fromEntries(surfaces.map((n) => [n, seq[n]!.total.p99])),
    /** Lynkr's own time per sequential request (its x-lynkr-overhead-ms header), whole answers: what the p99 above holds of Lynkr's. */
    ownMs: Object.fromEntries(surfaces.map((n) => [n, { p50: pct(samples.get(n)!.own, 50), p99: pct(samples.get(n)!.own, 99) }])),
    throughput: load,
    throughputRatio: Object.fromEntries(['fastify', ...surfaces].map((n) => [n, loadRatio(n)])),
    ...(portkey && { portkeyAddedMedianMs: added('portkey') }),
    slowStreams: streams,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    return;
  }
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  console.log(`Lynkr proxy overhead (node ${process.version}, ${ROUNDS} rounds × ${PER_ROUND} sequential requests per target, autocannon ${values.connections} connections, ${loadRounds} interleaved rounds × ${perRun} s per target)`);
  console.log('');
  console.log('sequential, keep-alive        median      p99        time to first byte (median)');
  for (const t of targets) console.log(`  ${t.name.padEnd(26)} ${ms(seq[t.name]!.total.p50).padStart(10)} ${ms(seq[t.name]!.total.p99).padStart(10)} ${ms(seq[t.name]!.ttfb.p50).padStart(12)}`);
  console.log('');
  const floorAdded = figures.addedMedianMs.floor!;
  const floorTtfb = figures.addedTtfbMs.floor!;
  console.log(`floor proxy: added median ${ms(floorAdded)}, added time to first byte ${ms(floorTtfb)}, ${load.floor!.toFixed(0)} req/s at ${values.connections} connections`);
  console.log('');
  const fa = figures.addedMedianMs.fastify!;
  console.log(
    `fastify pass-through (reference): added median ${ms(fa)}, ÷ floor ${(fa / floorAdded).toFixed(2)} (rounds' median ${roundRatio('fastify').toFixed(2)}), ` +
      `${load.fastify!.toFixed(0)} req/s, ÷ floor ${loadRatio('fastify').toFixed(2)}`,
  );
  console.log('');
  console.log('surface                    added median  ÷ floor (≤ 1.25)  rounds\' median   p99 (≤ 2 ms)   added TTFB − floor (≤ 1 ms)   req/s   ÷ floor (≥ 0.7)');
  for (const n of surfaces) {
    const a = figures.addedMedianMs[n]!;
    const t = figures.addedTtfbMs[n]! - floorTtfb;
    console.log(
      `  ${n.padEnd(24)} ${ms(a).padStart(10)}   ${(a / floorAdded).toFixed(2).padStart(8)}        ${roundRatio(n).toFixed(2).padStart(8)}       ${ms(figures.p99Ms[n]!).padStart(10)}   ${ms(t).padStart(12)}                ${load[n]!.toFixed(0).padStart(6)}   ${loadRatio(n).toFixed(2).padStart(6)}`,
    );
  }
  console.log('');
  console.log('Lynkr\'s own time per request (its x-lynkr-overhead-ms header: from the request\'s arrival to the answer\'s head, less the upstream\'s time)');
  for (const n of surfaces) console.log(`  ${n.padEnd(24)} median ${ms(figures.ownMs[n]!.p50)}, p99 ${ms(figures.ownMs[n]!.p99)}`);
  if (portkey) {
    const p = figures.portkeyAddedMedianMs!;
    console.log('');
    console.log(`portkey (a peer): added median ${ms(p)}, ${load.portkey!.toFixed(0)} req/s at ${values.connections} connections`);
    for (const n of surfaces) console.log(`  ${n.padEnd(24)} added median ÷ portkey's: ${(figures.addedMedianMs[n]! / p).toFixed(3)} (≤ 0.2)`);
  }
  console.log('');
  console.log(
    `${streams.streams} concurrent slow streams (${streams.gapMs} ms each) through Lynkr: ${streams.completed} completed, ${streams.failed} failed; ` +
      `RSS ${streams.rssBeforeMb.toFixed(0)} MB before, ${streams.rssPeakMb.toFixed(0)} MB at peak (≤ 150 MB)`,
  );
}

/** Open `n` streams through Lynkr at once, each kept open `gapMs` by the upstream; count the complete ones and sample Lynkr's RSS. */
async function slowStreams(n: number, gapMs: number) {
  const upstream = await start('upstream.js', ['--stream-gap-ms', String(gapMs)]);
  const lynkr = await startChild('lynkr-server.js', ['--upstream', upstream]);
  const pool = new Pool(lynkr.origin, { connections: n });
  const target: Target = { name: 'slow', origin: lynkr.origin, path: '/v1/messages', body: anthropicBody(true), stream: true };
  await call(pool, { ...target, body: anthropicBody(false) });
  const rssBeforeMb = rssMb(lynkr.pid);
  let rssPeakMb = rssBeforeMb;
  const sampler = setInterval(() => (rssPeakMb = Math.max(rssPeakMb, rssMb(lynkr.pid))), 50);
  let completed = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      try {
        const res = await pool.request({ method: 'POST', path: target.path, headers: BASE_HEADERS, body: target.body });
        let text = '';
        for await (const chunk of res.body) text += String(chunk);
        if (res.statusCode === 200 && text.includes('event: message_stop')) completed++;
        else failed++;
      } catch {
        failed++;
      }
    }),
  );
  clearInterval(sampler);
  rssPeakMb = Math.max(rssPeakMb, rssMb(lynkr.pid));
  await pool.close();
  servers.stop();
  return { streams: n, gapMs, completed, failed, rssBeforeMb, rssPeakMb };
}

/** `10m`, `90s`, `1h`, or milliseconds. */
function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`--soak ${text}: expected a duration such as 10m, 90s or 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

/**
 * Steady load on every surface (stream and not) for `ms`, Lynkr's RSS read
 * after a one-minute warm-up (or a tenth of the run) and at the end: a leak
 * shows as growth.
 */
async function soak(ms: number): Promise<void> {
  const upstream = await start('upstream.js', ['--stream-gap-ms', '5']);
  const lynkr = await startChild('lynkr-server.js', ['--upstream', upstream]);
  const warmup = Math.min(60_000, ms / 10);
  const bodies = [
    { path: '/v1/messages', body: anthropicBody(false) },
    { path: '/v1/messages', body: anthropicBody(true) },
    { path: '/v1/chat/completions', body: openaiBody(false) },
    { path: '/v1/chat/completions', body: openaiBody(true) },
    { path: '/v1/responses', body: responsesBody(false) },
    { path: '/v1/responses', body: responsesBody(true) },
  ];
  const run = (duration: number) =>
    autocannon({
      url: lynkr.origin,
      connections: 10,
      duration: duration / 1000,
      requests: bodies.map((b) => ({ method: 'POST', path: b.path, headers: BASE_HEADERS, body: b.body })),
    });
  await run(warmup);
  global.gc?.();
  const before = rssMb(lynkr.pid);
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssMb(lynkr.pid)), 10_000);
  const result = await run(ms - warmup);
  clearInterval(sampler);
  const after = rssMb(lynkr.pid);
  servers.stop();
  const growth = ((after - before) / before) * 100;
  const figures = { durationMs: ms, requests: result.requests.total, errors: result.errors, non2xx: result.non2xx, rssAfterWarmupMb: before, rssEndMb: after, growthPercent: growth, samplesMb: samples };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    return;
  }
  console.log(`soak: ${(ms / 60_000).toFixed(1)} min on six request kinds, ${result.requests.total} requests (${result.non2xx} non-2xx, ${result.errors} errors)`);
  console.log(`Lynkr RSS: ${before.toFixed(1)} MB after warm-up, ${after.toFixed(1)} MB at the end: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)}% (≤ 5%)`);
}

try {
  await main();
} finally {
  servers.stop();
}
