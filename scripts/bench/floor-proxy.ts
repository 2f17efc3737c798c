/**
 * The floor: the least a proxy can do. node:http in, an undici pool out, bytes
 * piped both ways, no parsing. What Lynkr adds is compared with what this adds.
 *   node dist/scripts/bench/floor-proxy.js --upstream http://127.0.0.1:PORT
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({ options: { upstream: { type: 'string' } } });
const pool = new Pool(values.upstream!, { connections: 128, pipelining: 1 });

/** The request's headers minus the hop-by-hop ones, as any pass-through proxy sends them on. */
const HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'te', 'trailer', 'proxy-connection']);
function forwarded(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP.has(name) && typeof value === 'string') out[name] = value;
  return out;
}

const server = createServer((req, res) => {
  pool
    .request({ method: req.method as 'POST', path: req.url!, headers: forwarded(req.headers), body: req })
    .then(({ statusCode, headers, body }) => {
      res.writeHead(statusCode, { 'content-type': String(headers['content-type'] ?? 'application/json') });
      body.pipe(res);
    })
    .catch(() => res.writeHead(502).end());
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
