/**
 * Decision time of the whole route stage (router-tiers' scorer, side-request
 * check and pins, intent-window, the LinUCB bandit, the capability guards) on a realistic
 * Claude Code request: 24 tool definitions (~64 KB), a 3-block system prompt,
 * 40 messages with tool_use/tool_result pairs (test/routing/claude-code-session.json).
 *
 *   npm run bench:route [-- --requests 20000]
 *
 * Time runs from `pipeline.handle()` to the first `invoke` handler, which
 * answers at once: it is the route stage plus the kernel's hand-off, with
 * pins on the in-memory keyv store (a real store adds its own latency to the
 * pin read, which starts before the scoring and overlaps it).
 *
 * Scenarios:
 * - tool loop: the same request again and again, as Claude Code sends during
 *   a tool exchange: the pin serves, every text is already scored; the bandit
 *   sees the tool exchange and stays out;
 * - new typed turn: the conversation pinned, the latest typed text new each
 *   time (scored cold), the older turns of the window memoized; the bandit
 *   waits for the pin read and stays out;
 * - new session: a new session id each time: no pin, a pin written; the
 *   request continues a tool exchange, so the bandit stays out;
 * - new conversation: a new session id and a new typed text each time (scored
 *   cold): no pin, a pin written, and the bandit chooses (context features,
 *   tier and capability admission, the bound of every admitted arm).
 *
 * Target: p99 ≤ 1 ms in each.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import {
  createExchange,
  createKernel,
  definePlugin,
  resolveConfig,
  type Capabilities,
  type InvokeResult,
  type MessagesRequest,
} from '../kernel/index.js';
import routerTiers from '../plugins/router-tiers/index.js';
import intentWindow from '../plugins/intent-window/index.js';
import banditLinucb from '../plugins/bandit-linucb/index.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '20000' }, warmup: { type: 'string', default: '3000' } } });
const REQUESTS = Number(values.requests);
const WARMUP = Number(values.warmup);

/** The repository root: the first folder up from this script (in `scripts/` or `dist/scripts/`) with a package.json. */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

const fixture = JSON.parse(readFileSync(path.join(repoRoot(), 'test', 'routing', 'claude-code-session.json'), 'utf8')) as {
  headers: Record<string, string>;
  request: MessagesRequest;
};

/** Models as a local/cloud setup describes them, so the guards do their real work. */
const CAPS: Record<string, Capabilities> = {
  'qwen2.5-coder:7b': { tools: true, vision: false, thinking: false, maxOutputTokens: 8192, contextWindow: 128_000 },
  'qwen2.5-coder:32b': { tools: true, vision: false, thinking: false, maxOutputTokens: 8192, contextWindow: 128_000 },
  'claude-sonnet-4-5': { tools: true, vision: true, thinking: true, maxOutputTokens: 64_000, contextWindow: 200_000 },
  'claude-opus-4-1': { tools: true, vision: true, thinking: true, maxOutputTokens: 32_000, contextWindow: 200_000 },
};

const NOTHING: InvokeResult = { events: (async function* () {})() };
let decidedAt = 0;

const bench = definePlugin({
  name: 'bench-route-probe',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    for (const id of ['ollama', 'anthropic']) {
      ctx.providers.register({ id, wire: 'memory', capabilities: (model) => CAPS[model]!, invoke: async () => NOTHING });
    }
    // The first invoke handler: the route stage is over when it runs.
    ctx.hooks.on(
      'invoke',
      async () => {
        decidedAt = performance.now();
        return NOTHING;
      },
      { order: 'pre' },
    );
  },
});

const config = resolveConfig(
  {
    storage: 'memory://',
    plugins: [
      bench(),
      routerTiers({
        simple: 'ollama:qwen2.5-coder:7b',
        medium: 'ollama:qwen2.5-coder:32b',
        complex: 'anthropic:claude-sonnet-4-5',
        reasoning: 'anthropic:claude-opus-4-1',
      }),
      intentWindow(),
      banditLinucb(),
    ],
  },
  { cwd: process.cwd(), source: 'inline', env: {} },
);
const kernel = await createKernel(config, { logger: pino({ level: 'silent' }) });

const { request, headers } = fixture;
// The latest message the user typed in (the others of the user are tool results).
const typedIndex = request.messages.findLastIndex((m) => m.role === 'user' && Array.isArray(m.content) && m.content.some((b) => b.type === 'text'));

/** The fixture with a new typed text in its latest typed message, the tool exchange after it dropped. */
const newTurn = (i: number): MessagesRequest => ({
  ...request,
  messages: [...request.messages.slice(0, typedIndex), { role: 'user', content: `can you also add a note about this to docs/payments.md, section ${i}?` }],
});

async function decide(body: MessagesRequest, sessionId: string): Promise<number> {
  const ex = createExchange({ id: 'bench', surface: 'bench', log: kernel.log, headers: { ...headers, 'x-claude-code-session-id': sessionId } });
  const started = performance.now();
  await kernel.pipeline.handle(body, ex);
  return decidedAt - started;
}

const scenarios: Array<[string, (i: number) => Promise<number>]> = [
  ['tool loop (pinned, tool exchange)', () => decide(request, 'pinned')],
  ['new typed turn (pinned, scored cold)', (i) => decide(newTurn(i), 'pinned')],
  ['new session (no pin, pin written)', (i) => decide(request, `session-${i}`)],
  ['new conversation (no pin, bandit chooses)', (i) => decide(newTurn(i), `conversation-${i}`)],
];

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const us = (ms: number) => `${(ms * 1000).toFixed(1).padStart(7)} µs`;

const bytes = (value: unknown) => JSON.stringify(value).length;
console.log(
  `route stage decision time: ${request.tools!.length} tools (${(bytes(request.tools) / 1024).toFixed(1)} KB), ${request.messages.length} messages, ` +
    `${(bytes(request) / 1024).toFixed(1)} KB request; ${REQUESTS} requests per scenario after ${WARMUP} warm-up (node ${process.version})`,
);
let met = true;
let offset = 0;
for (const [label, run] of scenarios) {
  // The "pinned" conversation gets its pin from the first warm-up request.
  for (let i = 0; i < WARMUP; i++) await run(offset + i);
  offset += WARMUP;
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) times.push(await run(offset + i));
  offset += REQUESTS;
  times.sort((a, b) => a - b);
  const p99 = quantile(times, 0.99);
  met &&= p99 <= 1;
  console.log(`${label.padEnd(42)} p50 ${us(quantile(times, 0.5))}   p99 ${us(p99)}   max ${us(times.at(-1)!)}`);
}
console.log(`target p99 ≤ 1 ms: ${met ? 'met' : 'NOT met'}`);
await kernel.stop();
if (!met) process.exitCode = 1;
