/**
 * A fast fake OpenAI Chat Completions upstream for benchmarks: fixed answers,
 * no parsing beyond what is needed to pick JSON or SSE, so that it is never
 * the bottleneck. Prints its port on stdout.
 *   node dist/scripts/bench/upstream.js [--stream-gap-ms 20]
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { 'stream-gap-ms': { type: 'string', default: '20' } } });
const gap = Number(values['stream-gap-ms']);

const json = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'bench',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the bench upstream.' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
});

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'bench', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const first = chunk({ role: 'assistant', content: 'Hello' });
const rest = [
  chunk({ content: ' from' }),
  chunk({ content: ' the bench upstream.' }),
  chunk({}, 'stop'),
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'bench', choices: [], usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 } })}\n\n`,
  'data: [DONE]\n\n',
].join('');

const server = createServer((req, res) => {
  const body: Buffer[] = [];
  req.on('data', (c: Buffer) => body.push(c));
  req.on('end', () => {
    // The stream flag is all we need to know; a substring test keeps parsing cost out of the figures.
    if (Buffer.concat(body).includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(first);
      // The first chunk goes at once, the rest after a gap: a proxy that buffers shows the gap in its time to first byte.
      setTimeout(() => res.end(rest), gap);
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.end(json);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
