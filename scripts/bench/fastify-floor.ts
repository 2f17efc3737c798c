/**
 * The framework's floor: the least a proxy built on fastify can do, as the
 * floor proxy does it on node:http. The body is taken as bytes (fastify's own
 * buffer parser, nothing decoded), sent on through an undici pool, and the
 * answer piped back. What Lynkr adds beyond this is Lynkr's own; what this
 * adds beyond the floor proxy is fastify's (routing, request and reply
 * objects, the hook and body-parser machinery).
 *   node dist/scripts/bench/fastify-floor.js --upstream http://127.0.0.1:PORT
 */
import Fastify from 'fastify';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({ options: { upstream: { type: 'string' } } });
const pool = new Pool(values.upstream!, { connections: 128, pipelining: 1 });

/** The request headers a pass-through proxy sends on (the floor proxy's list). */
const HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'te', 'trailer', 'proxy-connection']);

const app = Fastify({ logger: false, keepAliveTimeout: 60_000 });
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/*', async (req, reply) => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP.has(name) && typeof value === 'string') headers[name] = value;
  const { statusCode, headers: answer, body } = await pool.request({ method: 'POST', path: req.url, headers, body: req.body as Buffer });
  return reply
    .code(statusCode)
    .header('content-type', String(answer['content-type'] ?? 'application/json'))
    .send(body);
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
