/**
 * What Lynkr adds per upstream wire format, each against the test suite's
 * fake of that wire (test/fakes, the same byte-for-byte formats the tests
 * check): Anthropic Messages passed through, OpenAI Chat Completions, Bedrock
 * ConverseStream's AWS event-stream frames, Ollama's NDJSON. For each wire,
 * in one run:
 *
 *   direct  the client calls the fake in its own format;
 *   floor   the same call through the bench's floor proxy (bytes piped, no parsing);
 *   fastify the same pass-through on fastify, the framework Lynkr is built on (a reference:
 *           what the framework alone adds over the floor);
 *   lynkr   an Anthropic Messages request (what Claude Code sends) through
 *           Lynkr, translated to the wire and back.
 *
 * Sequential requests on keep-alive connections, interleaved rounds, whole
 * answers and streams. Anthropic passthrough should add no more than the
 * floor (within 10%): it forwards the client's bytes and parses only the
 * events it passes on.
 *
 *   npm run bench:providers [-- --rounds 5 --per-round 200] [--wire anthropic ...]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { repoRoot, Servers } from './bench/servers.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'per-round': { type: 'string', default: '200' },
    json: { type: 'boolean', default: false },
    wire: { type: 'string', multiple: true },
  },
});
const ROUNDS = Number(values.rounds);
const PER_ROUND = Number(values['per-round']);
const here = path.dirname(fileURLToPath(import.meta.url));
const servers = new Servers();
const start = (command: string, args: string[]) => servers.start(command, args);

const tsx = () => path.join(repoRoot(), 'node_modules', '.bin', 'tsx');
const BEDROCK_KEY = 'ABSKZmFrZS1iZWRyb2NrLWFwaS1rZXk=';
const BEDROCK_MODEL = encodeURIComponent('us.anthropic.claude-sonnet-4-5-20250929-v1:0');

interface Call {
  path: string;
  body: string;
  headers: Record<string, string>;
}

/** How a client calls each wire directly (and through the floor), whole and streamed. */
const DIRECT: Record<string, (stream: boolean) => Call> = {
  anthropic: (stream) => ({
    path: '/v1/messages',
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, stream, messages: [{ role: 'user', content: 'Say hello.' }] }),
    headers: { 'x-api-key': 'sk-ant-bench', 'anthropic-version': '2023-06-01' },
  }),
  openai: (stream) => ({
    path: '/v1/chat/completions',
    body: JSON.stringify({ model: 'bench', max_tokens: 64, stream, messages: [{ role: 'user', content: 'Say hello.' }] }),
    headers: { authorization: 'Bearer sk-bench' },
  }),
  bedrock: (stream) => ({
    path: `/model/${BEDROCK_MODEL}/${stream ? 'converse-stream' : 'converse'}`,
    body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'Say hello.' }] }], inferenceConfig: { maxTokens: 64 } }),
    headers: { authorization: `Bearer ${BEDROCK_KEY}` },
  }),
  ollama: (stream) => ({
    path: '/api/chat',
    body: JSON.stringify({ model: 'qwen2.5-coder:7b', stream, messages: [{ role: 'user', content: 'Say hello.' }], options: { num_predict: 64 } }),
    headers: {},
  }),
};

/** What Claude Code sends: Anthropic Messages, whatever the wire behind. */
const throughLynkr = (stream: boolean): Call => ({
  path: '/v1/messages',
  body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, stream, messages: [{ role: 'user', content: 'Say hello.' }] }),
  headers: { 'x-api-key': 'client-key', 'anthropic-version': '2023-06-01' },
});

async function time(pool: Pool, call: Call): Promise<{ ttfb: number; total: number }> {
  const t0 = process.hrtime.bigint();
  const res = await pool.request({ method: 'POST', path: call.path, headers: { 'content-type': 'application/json', ...call.headers }, body: call.body });
  let ttfb = 0;
  for await (const _ of res.body) if (!ttfb) ttfb = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.statusCode !== 200) throw new Error(`${call.path}: HTTP ${res.statusCode}`);
  return { ttfb, total: Number(process.hrtime.bigint() - t0) / 1e6 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface WireFigures {
  wire: string;
  direct: { whole: number; stream: number };
  addedFloor: { whole: number; stream: number };
  addedFastify: { whole: number; stream: number };
  addedLynkr: { whole: number; stream: number };
}

async function measure(wire: string): Promise<WireFigures> {
  const fake = await start(tsx(), ['test/fakes/serve.ts', '--wire', wire]);
  const floor = await start(process.execPath, [path.join(here, 'bench', 'floor-proxy.js'), '--upstream', fake]);
  const fastify = await start(process.execPath, [path.join(here, 'bench', 'fastify-floor.js'), '--upstream', fake]);
  const lynkr = await start(process.execPath, [path.join(here, 'bench', 'provider-lynkr.js'), '--wire', wire, '--upstream', fake]);
  const targets = [
    { name: 'direct', origin: fake, call: DIRECT[wire]! },
    { name: 'floor', origin: floor, call: DIRECT[wire]! },
    { name: 'fastify', origin: fastify, call: DIRECT[wire]! },
    { name: 'lynkr', origin: lynkr, call: throughLynkr },
  ];
  const pools = targets.map((t) => new Pool(t.origin, { connections: 1 }));
  const samples = targets.map(() => ({ whole: [] as number[], stream: [] as number[] }));
  for (const [i, t] of targets.entries()) for (let n = 0; n < 200; n++) await time(pools[i]!, t.call(n % 2 === 1));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, t] of targets.entries()) {
      for (let n = 0; n < PER_ROUND; n++) {
        samples[i]!.whole.push((await time(pools[i]!, t.call(false))).total);
        // A stream's cost is its time to the end: the fakes write every frame at once.
        samples[i]!.stream.push((await time(pools[i]!, t.call(true))).total);
      }
    }
  }
  for (const pool of pools) await pool.close();
  servers.stop();
  const [d, f, fy, l] = samples.map((s) => ({ whole: median(s.whole), stream: median(s.stream) }));
  return {
    wire,
    direct: d!,
    addedFloor: { whole: f!.whole - d!.whole, stream: f!.stream - d!.stream },
    addedFastify: { whole: fy!.whole - d!.whole, stream: fy!.stream - d!.stream },
    addedLynkr: { whole: l!.whole - d!.whole, stream: l!.stream - d!.stream },
  };
}

async function main(): Promise<void> {
  const figures: WireFigures[] = [];
  for (const wire of values.wire ?? ['anthropic', 'openai', 'bedrock', 'ollama']) {
    if (!DIRECT[wire]) throw new Error(`--wire: one of ${Object.keys(DIRECT).join(', ')}`);
    figures.push(await measure(wire));
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    return;
  }
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  console.log(`Lynkr per upstream wire (node ${process.version}, ${ROUNDS} rounds × ${PER_ROUND} sequential requests per target and kind)`);
  console.log('');
  const ratio = (x: { whole: number; stream: number }, floor: { whole: number; stream: number }) =>
    `${(x.whole / floor.whole).toFixed(2).padStart(6)} / ${(x.stream / floor.stream).toFixed(2)}`;
  console.log('wire        direct whole  direct stream   floor adds (whole / stream)   Lynkr adds (whole / stream)   Lynkr ÷ floor (whole / stream)   fastify pass-through ÷ floor');
  for (const f of figures) {
    console.log(
      `  ${f.wire.padEnd(10)} ${ms(f.direct.whole).padStart(10)} ${ms(f.direct.stream).padStart(12)}   ${ms(f.addedFloor.whole).padStart(10)} / ${ms(f.addedFloor.stream).padEnd(12)}   ${ms(f.addedLynkr.whole).padStart(10)} / ${ms(f.addedLynkr.stream).padEnd(12)}   ${ratio(f.addedLynkr, f.addedFloor)}                  ${ratio(f.addedFastify, f.addedFloor)}`,
    );
  }
  const a = figures.find((f) => f.wire === 'anthropic');
  if (!a) return;
  console.log('');
  console.log(`Anthropic passthrough: Lynkr adds ${(a.addedLynkr.whole / a.addedFloor.whole).toFixed(2)}× / ${(a.addedLynkr.stream / a.addedFloor.stream).toFixed(2)}× what the floor adds (target ≤ 1.10)`);
  console.log(`  a pass-through on fastify alone adds ${(a.addedFastify.whole / a.addedFloor.whole).toFixed(2)}× / ${(a.addedFastify.stream / a.addedFloor.stream).toFixed(2)}×; Lynkr adds ${(a.addedLynkr.whole / a.addedFastify.whole).toFixed(2)}× / ${(a.addedLynkr.stream / a.addedFastify.stream).toFixed(2)}× what it adds`);
}

try {
  await main();
} finally {
  servers.stop();
}
