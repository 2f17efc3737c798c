/**
 * What Lynkr adds to a request the size Claude Code sends: the routing
 * fixture (test/routing/claude-code-session.json: 24 tools, 40 messages,
 * about 115 KB), not answered as a stream. The other benches send a
 * hundred bytes, where the per-request path dominates; here the body's own
 * cost shows (reading it, checking it as UTF-8, parsing and checking it,
 * translating and serialising it, sending it on). Two paths, each against
 * the floor proxy carrying the same bytes:
 *
 *   translated   Lynkr in its default configuration (`npm start`) in front of
 *                the bench's OpenAI Chat Completions upstream;
 *   passthrough  Lynkr with api-anthropic, provider-anthropic and router-static
 *                in front of the test suite's fake Anthropic upstream.
 *
 * Sequential requests on keep-alive connections, interleaved rounds.
 *   npm run bench:body [-- --rounds 20 --per-round 40]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { repoRoot, Servers } from './bench/servers.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    'per-round': { type: 'string', default: '40' },
  },
});
const ROUNDS = Number(values.rounds);
const PER_ROUND = Number(values['per-round']);
const here = path.dirname(fileURLToPath(import.meta.url));
const servers = new Servers();
const start = (command: string, args: string[]) => servers.start(command, args);

const fixture = JSON.parse(readFileSync(path.join(repoRoot(), 'test', 'routing', 'claude-code-session.json'), 'utf8')) as {
  request: Record<string, unknown>;
  headers: Record<string, string>;
};
const body = JSON.stringify({ ...fixture.request, stream: false });
const headers = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant-bench', ...fixture.headers };

interface Target {
  name: string;
  origin: string;
  path: string;
}

async function time(pool: Pool, t: Target): Promise<number> {
  const t0 = process.hrtime.bigint();
  const res = await pool.request({ method: 'POST', path: t.path, headers, body });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${t.name}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Medians of direct, floor and Lynkr, each target in turn per round. */
async function measure(targets: Target[]): Promise<Map<string, number>> {
  const pools = targets.map((t) => new Pool(t.origin, { connections: 1 }));
  const samples = targets.map(() => [] as number[]);
  for (const [i, t] of targets.entries()) for (let n = 0; n < 50; n++) await time(pools[i]!, t);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, t] of targets.entries()) for (let n = 0; n < PER_ROUND; n++) samples[i]!.push(await time(pools[i]!, t));
  }
  for (const pool of pools) await pool.close();
  servers.stop();
  return new Map(targets.map((t, i) => [t.name, median(samples[i]!)]));
}

async function translated(): Promise<Map<string, number>> {
  const upstream = await start(process.execPath, [path.join(here, 'bench', 'upstream.js')]);
  const floor = await start(process.execPath, [path.join(here, 'bench', 'floor-proxy.js'), '--upstream', upstream]);
  const lynkr = await start(process.execPath, [path.join(here, 'bench', 'lynkr-server.js'), '--upstream', upstream]);
  return measure([
    { name: 'direct', origin: upstream, path: '/v1/chat/completions' },
    { name: 'floor', origin: floor, path: '/v1/chat/completions' },
    { name: 'lynkr', origin: lynkr, path: '/v1/messages' },
  ]);
}

async function passthrough(): Promise<Map<string, number>> {
  const fake = await start(path.join(repoRoot(), 'node_modules', '.bin', 'tsx'), ['test/fakes/serve.ts', '--wire', 'anthropic']);
  const floor = await start(process.execPath, [path.join(here, 'bench', 'floor-proxy.js'), '--upstream', fake]);
  const lynkr = await start(process.execPath, [path.join(here, 'bench', 'provider-lynkr.js'), '--wire', 'anthropic', '--upstream', fake]);
  return measure([
    { name: 'direct', origin: fake, path: '/v1/messages' },
    { name: 'floor', origin: floor, path: '/v1/messages' },
    { name: 'lynkr', origin: lynkr, path: '/v1/messages' },
  ]);
}

async function main(): Promise<void> {
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  console.log(`Lynkr with a Claude-Code-sized request (${Buffer.byteLength(body)} bytes; node ${process.version}, ${ROUNDS} rounds × ${PER_ROUND} sequential requests per target)`);
  console.log('');
  console.log('path           direct       floor adds   Lynkr adds   Lynkr − floor');
  for (const [name, run] of [['translated', translated], ['passthrough', passthrough]] as const) {
    const m = await run();
    const d = m.get('direct')!;
    const f = m.get('floor')! - d;
    const l = m.get('lynkr')! - d;
    console.log(`  ${name.padEnd(12)} ${ms(d).padStart(10)}   ${ms(f).padStart(10)}   ${ms(l).padStart(10)}   ${ms(l - f).padStart(10)}`);
  }
}

try {
  await main();
} finally {
  servers.stop();
}
