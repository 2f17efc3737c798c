/**
 * One of the test suite's fake upstreams as a server process for the provider
 * bench: the same byte-for-byte wire formats the tests check (Anthropic SSE,
 * OpenAI chat SSE, Bedrock's AWS event-stream frames, Ollama's NDJSON),
 * answering every request with the echo of its last user message. Prints its
 * port on stdout.
 *   tsx test/fakes/serve.ts --wire anthropic|openai|bedrock|ollama
 */
import { parseArgs } from 'node:util';
import { startFakeAnthropic } from './anthropic.js';
import { startFakeBedrock } from './bedrock.js';
import { startFakeOllama } from './ollama.js';
import { startFakeOpenAI } from './openai-chat.js';
import type { FakeServer } from './server.js';

const { values } = parseArgs({ options: { wire: { type: 'string' } } });
const starters: Record<string, () => Promise<FakeServer>> = {
  anthropic: () => startFakeAnthropic(),
  openai: () => startFakeOpenAI(),
  bedrock: () => startFakeBedrock(),
  ollama: () => startFakeOllama(),
};
const start = starters[values.wire ?? ''];
if (!start) throw new Error(`--wire must be one of ${Object.keys(starters).join(', ')}`);
const fake = await start();
// The fakes keep every request for tests to read: a bench must not grow on them.
setInterval(() => void fake.requests.splice(0), 1000).unref();
process.stdout.write(`${fake.port}\n`);
