/**
 * Lynkr as the benchmark runs it: the default configuration, exactly what
 * `npm start` builds from the environment (every built-in plugin of the
 * default set: both API surfaces, the badge sanitizer, the provider,
 * statistics, resilience, the static router, the badge plugin, the wrap
 * targets), with OpenAI pointed at the bench upstream; no logging. Prints
 * its port on stdout.
 *   node dist/scripts/bench/lynkr-server.js --upstream http://127.0.0.1:PORT
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { configFromEnv, createKernel, resolveConfig } from '../../kernel/index.js';

const { values } = parseArgs({ options: { upstream: { type: 'string' } } });
const env = { MODEL_PROVIDER: 'openai', OPENAI_ENDPOINT: `${values.upstream}/v1`, OPENAI_API_KEY: 'sk-bench', OPENAI_MODEL: 'bench' };
const config = resolveConfig({ ...configFromEnv(env), server: { port: 0 }, storage: 'memory://' }, { cwd: process.cwd(), source: 'inline', env });
const kernel = await createKernel(config, { logger: pino({ level: 'silent' }) });
const { port } = await kernel.start();
process.stdout.write(`${port}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void kernel.stop().then(() => process.exit(0)));
