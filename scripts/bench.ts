/**
 * What Lynkr adds to a request, measured against what one extra loopback hop
 * costs on this machine. All in one run, on the same fake upstream:
 *
 *   direct  the client calls the fake OpenAI upstream itself;
 *   floor   through a minimal pass-through proxy (node:http + an undici pool, no parsing);
 *   lynkr   Anthropic Messages in, the OpenAI-compatible provider out, streaming and not;
 *           and the two OpenAI surfaces in (Chat Completions, Responses), same provider out.
 *
 * Sequential requests on keep-alive connections in interleaved rounds give the
 * latency figures; autocannon at 50 connections gives throughput. The
 * upstream, the floor proxy and Lynkr each run in their own process.
 *
 *   npm run bench [-- --rounds 10 --per-round 200 --duration 10]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Pool } from 'undici';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    'per-round': { type: 'string', default: '200' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const PER_ROUND = Number(values['per-round']);
const here = path.dirname(fileURLToPath(import.meta.url));
const children: ChildProcess[] = [];

async function start(script: string, args: string[] = []): Promise<string> {
  const child = spawn(process.execPath, [path.join(here, 'bench', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const [data] = (await once(child.stdout!, 'data')) as [Buffer];
  return `http://127.0.0.1:${String(data).trim()}`;
}

interface Target {
  name: string;
  origin: string;
  path: string;
  body: string;
  stream: boolean;
}

const openaiBody = (stream: boolean) =>
  JSON.stringify({ model: 'bench', max_tokens: 64, stream, ...(stream ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content: 'Say hello.' }] });
const anthropicBody = (stream: boolean) => JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, stream, messages: [{ role: 'user', content: 'Say hello.' }] });
const responsesBody = (stream: boolean) => JSON.stringify({ model: 'gpt-4.1', max_output_tokens: 64, stream, store: false, input: 'Say hello.' });

/** One request: milliseconds to the first body byte and to the end. */
async function call(pool: Pool, t: Target): Promise<{ ttfb: number; total: number }> {
  const t0 = process.hrtime.bigint();
  const res = await pool.request({
    method: 'POST',
    path: t.path,
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'dummy', authorization: 'Bearer dummy' },
    body: t.body,
  });
  let ttfb = 0;
  for await (const _ of res.body) if (!ttfb) ttfb = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.statusCode !== 200) throw new Error(`${t.name}: HTTP ${res.statusCode}`);
  return { ttfb, total: Number(process.hrtime.bigint() - t0) / 1e6 };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function main(): Promise<void> {
  const upstream = await start('upstream.js');
  const floor = await start('floor-proxy.js', ['--upstream', upstream]);
  const lynkr = await start('lynkr-server.js', ['--upstream', upstream]);

  const targets: Target[] = [
    { name: 'direct', origin: upstream, path: '/v1/chat/completions', body: openaiBody(false), stream: false },
    { name: 'floor', origin: floor, path: '/v1/chat/completions', body: openaiBody(false), stream: false },
    { name: 'lynkr', origin: lynkr, path: '/v1/messages', body: anthropicBody(false), stream: false },
    { name: 'lynkr chat', origin: lynkr, path: '/v1/chat/completions', body: openaiBody(false), stream: false },
    { name: 'lynkr responses', origin: lynkr, path: '/v1/responses', body: responsesBody(false), stream: false },
    { name: 'direct stream', origin: upstream, path: '/v1/chat/completions', body: openaiBody(true), stream: true },
    { name: 'floor stream', origin: floor, path: '/v1/chat/completions', body: openaiBody(true), stream: true },
    { name: 'lynkr stream', origin: lynkr, path: '/v1/messages', body: anthropicBody(true), stream: true },
    { name: 'lynkr chat stream', origin: lynkr, path: '/v1/chat/completions', body: openaiBody(true), stream: true },
    { name: 'lynkr responses stream', origin: lynkr, path: '/v1/responses', body: responsesBody(true), stream: true },
  ];
  const pools = new Map(targets.map((t) => [t.name, new Pool(t.origin, { connections: 1 })]));
  const samples = new Map(targets.map((t) => [t.name, { ttfb: [] as number[], total: [] as number[] }]));

  for (const t of targets) for (let i = 0; i < 200; i++) await call(pools.get(t.name)!, t); // warm-up: JIT, pools, connections
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of targets) {
      const s = samples.get(t.name)!;
      for (let i = 0; i < PER_ROUND; i++) {
        const r = await call(pools.get(t.name)!, t);
        s.ttfb.push(r.ttfb);
        s.total.push(r.total);
      }
    }
  }

  const stat = (name: string, key: 'ttfb' | 'total') => ({ p50: pct(samples.get(name)![key], 50), p99: pct(samples.get(name)![key], 99) });
  const seq = Object.fromEntries(targets.map((t) => [t.name, { total: stat(t.name, 'total'), ttfb: stat(t.name, 'ttfb') }]));

  const load: Record<string, number> = {};
  for (const t of targets.filter((x) => !x.stream)) {
    const result = await autocannon({
      url: `${t.origin}${t.path}`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'dummy' },
      body: t.body,
      connections: Number(values.connections),
      duration: Number(values.duration),
    });
    if (result.non2xx || result.errors) throw new Error(`${t.name}: ${result.non2xx} non-2xx, ${result.errors} errors under load`);
    load[t.name] = result.requests.average;
  }

  for (const pool of pools.values()) await pool.close();
  for (const child of children) child.kill('SIGTERM');

  const d = seq.direct!;
  const added = (name: string) => seq[name]!.total.p50 - d.total.p50;
  const addedStream = (name: string) => seq[name]!.ttfb.p50 - seq['direct stream']!.ttfb.p50;
  const surfaces = ['lynkr', 'lynkr chat', 'lynkr responses'];
  const figures = {
    sequential: seq,
    addedMedianMs: Object.fromEntries(['floor', ...surfaces].map((n) => [n, added(n)])),
    addedTtfbMs: Object.fromEntries(['floor', ...surfaces].map((n) => [n, addedStream(`${n} stream`)])),
    p99Ms: Object.fromEntries(surfaces.map((n) => [n, seq[n]!.total.p99])),
    throughput: load,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    return;
  }
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  console.log(`Lynkr proxy overhead (node ${process.version}, ${ROUNDS} rounds × ${PER_ROUND} sequential requests per target, autocannon ${values.connections} connections × ${values.duration} s)`);
  console.log('');
  console.log('sequential, keep-alive        median      p99        time to first byte (median)');
  for (const t of targets) console.log(`  ${t.name.padEnd(26)} ${ms(seq[t.name]!.total.p50).padStart(10)} ${ms(seq[t.name]!.total.p99).padStart(10)} ${ms(seq[t.name]!.ttfb.p50).padStart(12)}`);
  console.log('');
  const floorAdded = figures.addedMedianMs.floor!;
  const floorTtfb = figures.addedTtfbMs.floor!;
  console.log(`floor proxy: added median ${ms(floorAdded)}, added time to first byte ${ms(floorTtfb)}, ${load.floor!.toFixed(0)} req/s at ${values.connections} connections`);
  console.log('');
  console.log('surface                    added median  ÷ floor (≤ 1.25)   p99 (≤ 2 ms)   added TTFB − floor (≤ 1 ms)   req/s   ÷ floor (≥ 0.7)');
  for (const n of surfaces) {
    const a = figures.addedMedianMs[n]!;
    const t = figures.addedTtfbMs[n]! - floorTtfb;
    console.log(
      `  ${n.padEnd(24)} ${ms(a).padStart(10)}   ${(a / floorAdded).toFixed(2).padStart(8)}        ${ms(figures.p99Ms[n]!).padStart(10)}   ${ms(t).padStart(12)}                ${load[n]!.toFixed(0).padStart(6)}   ${(load[n]! / load.floor!).toFixed(2).padStart(6)}`,
    );
  }
}

try {
  await main();
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}
