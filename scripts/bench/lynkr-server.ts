/**
 * Lynkr as the benchmark runs it: the built-in API surfaces, the
 * OpenAI-compatible provider pointed at the bench upstream, the static
 * router; no logging. Prints its port on stdout.
 *   node dist/scripts/bench/lynkr-server.js --upstream http://127.0.0.1:PORT
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createKernel, resolveConfig } from '../../kernel/index.js';

const { values } = parseArgs({ options: { upstream: { type: 'string' } } });
const config = resolveConfig(
  {
    server: { port: 0 },
    storage: 'memory://',
    plugins: [
      'api-anthropic',
      'api-openai',
      ['provider-openai-compatible', { openai: { baseUrl: `${values.upstream}/v1`, apiKey: 'sk-bench', model: 'bench' } }],
      ['router-static', { target: 'openai:bench' }],
    ],
  },
  { cwd: process.cwd(), source: 'inline', env: {} },
);
const kernel = await createKernel(config, { logger: pino({ level: 'silent' }) });
const { port } = await kernel.start();
process.stdout.write(`${port}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void kernel.stop().then(() => process.exit(0)));
