/**
 * Lynkr in front of one provider for the provider bench: the Anthropic API in
 * front, the provider plugin for the wire on the fake upstream behind.
 * Prints its port on stdout.
 *   node dist/scripts/bench/provider-lynkr.js --wire anthropic|openai|bedrock|ollama --upstream http://127.0.0.1:PORT
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createKernel, resolveConfig, type PluginEntry } from '../../kernel/index.js';

const { values } = parseArgs({ options: { wire: { type: 'string' }, upstream: { type: 'string' } } });
const up = values.upstream!;
/** The bench fake's Bedrock API key (test/fakes/bedrock.ts). */
const BEDROCK_KEY = 'ABSKZmFrZS1iZWRyb2NrLWFwaS1rZXk=';
const providers: Record<string, { entry: PluginEntry; target: string }> = {
  // The model the client asks for is the routed one: the body passes through byte for byte.
  anthropic: { entry: ['provider-anthropic', { baseUrl: up, apiKey: 'sk-ant-bench' }], target: 'anthropic' },
  openai: { entry: ['provider-openai-compatible', { openai: { baseUrl: `${up}/v1`, apiKey: 'sk-bench', model: 'bench' } }], target: 'openai:bench' },
  bedrock: { entry: ['provider-bedrock', { baseUrl: up, region: 'us-east-1', apiKey: BEDROCK_KEY }], target: 'bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
  ollama: { entry: ['provider-ollama', { baseUrl: up, model: 'qwen2.5-coder:7b' }], target: 'ollama:qwen2.5-coder:7b' },
};
const p = providers[values.wire ?? ''];
if (!p) throw new Error(`--wire must be one of ${Object.keys(providers).join(', ')}`);
const config = resolveConfig(
  { server: { port: 0 }, storage: 'memory://', plugins: ['api-anthropic', p.entry, ['router-static', { target: p.target }]] },
  { cwd: process.cwd(), source: 'inline', env: {} },
);
const kernel = await createKernel(config, { logger: pino({ level: 'silent' }) });
const { port } = await kernel.start();
process.stdout.write(`${port}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void kernel.stop().then(() => process.exit(0)));
