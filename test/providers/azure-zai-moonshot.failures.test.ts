/**
 * What every provider of azure-anthropic, azure-openai (both APIs), zai and
 * moonshot (both wires) must do alike when the upstream misbehaves or the
 * client goes away, as test/providers/upstream-failures.test.ts asks of the
 * first two providers: the same error codes, statuses and headers, no hung
 * sockets, no leaked credentials.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import type http from 'node:http';
import { LynkrError } from '../../kernel/errors.js';
import { checkGrammar } from '../../kernel/ir/stream.js';
import type { StreamEvent } from '../../kernel/ir/types.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { PluginInstance } from '../../kernel/plugin/define.js';
import { azureAnthropicProvider } from '../../plugins/provider-azure-anthropic/index.js';
import { azureOpenAIProvider } from '../../plugins/provider-azure-openai/index.js';
import { moonshotProvider } from '../../plugins/provider-moonshot/index.js';
import { zaiProvider } from '../../plugins/provider-zai/index.js';
import { sseFrame, startFakeAnthropic, startFakeOpenAI, type RawReply } from '../fakes/index.js';
import { eventFrame, startFakeResponses } from '../fakes/openai-responses.js';
import { testKernel } from '../helpers/kernel.js';
import { errorEvent, exchange, failure, routeTo, run, userRequest } from './helpers.js';

/** What the three fakes have in common. */
interface Fake {
  url: string;
  requests: Array<{ headers: http.IncomingHttpHeaders }>;
  enqueue(...replies: never[]): void;
  close(): Promise<void>;
}

interface Subject {
  name: string;
  provider: string;
  /** The model the route names. */
  model: string;
  start(): Promise<Fake>;
  plugin(url: string): PluginInstance;
  /** The header that carries the configured key `upstream-key`, and its value. */
  auth: [string, string];
  /** A reply that streams `text` and dies after a few frames. */
  cut(text: string): object;
  /** The first frames of a well-formed stream, to hold open with a raw reply. */
  openingFrames(): string[];
}

const KEY = 'upstream-key';

const chatChunk = (delta: object) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
const chatOpening = () => [chatChunk({ role: 'assistant', content: '' }), chatChunk({ content: 'one ' })];

const messageStart: StreamEvent = {
  type: 'message_start',
  message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 0 } },
};
const anthropicOpening = () => [
  sseFrame(messageStart),
  sseFrame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  sseFrame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'one ' } }),
];
const responsesOpening = () =>
  [
    { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', status: 'in_progress', output: [] } },
    { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] } },
    { type: 'response.output_text.delta', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'one ', logprobs: [] },
  ].map(eventFrame);

const anthropicWire = { start: () => startFakeAnthropic(), cut: (text: string) => ({ text, dieAfterEvents: 4 }), openingFrames: anthropicOpening };
const chatWire = { start: () => startFakeOpenAI(), cut: (text: string) => ({ text, dieAfterChunks: 3 }), openingFrames: chatOpening };

const subjects: Subject[] = [
  {
    name: 'azure-anthropic',
    provider: 'azure-anthropic',
    model: 'claude-sonnet-4-5',
    ...anthropicWire,
    plugin: (url) => azureAnthropicProvider({ endpoint: url, apiKey: KEY }),
    auth: ['x-api-key', KEY],
  },
  {
    name: 'azure-openai (chat)',
    provider: 'azure-openai',
    model: 'gpt-4o',
    ...chatWire,
    plugin: (url) => azureOpenAIProvider({ endpoint: url, apiKey: KEY }),
    auth: ['api-key', KEY],
  },
  {
    name: 'azure-openai (Responses)',
    provider: 'azure-openai',
    model: 'gpt-5-codex',
    start: () => startFakeResponses(),
    cut: (text) => ({ text, dieAfterEvents: 5 }),
    openingFrames: responsesOpening,
    plugin: (url) => azureOpenAIProvider({ endpoint: url, apiKey: KEY }),
    auth: ['api-key', KEY],
  },
  { name: 'zai (Anthropic)', provider: 'zai', model: 'glm-4.7', ...anthropicWire, plugin: (url) => zaiProvider({ endpoint: url, apiKey: KEY }), auth: ['x-api-key', KEY] },
  {
    name: 'zai (OpenAI)',
    provider: 'zai',
    model: 'glm-4.7',
    ...chatWire,
    plugin: (url) => zaiProvider({ endpoint: `${url}/chat/completions`, apiKey: KEY }),
    auth: ['authorization', `Bearer ${KEY}`],
  },
  { name: 'moonshot (OpenAI)', provider: 'moonshot', model: 'kimi-k2.6', ...chatWire, plugin: (url) => moonshotProvider({ endpoint: url, apiKey: KEY }), auth: ['authorization', `Bearer ${KEY}`] },
  {
    name: 'moonshot (Anthropic)',
    provider: 'moonshot',
    model: 'kimi-k2.6',
    ...anthropicWire,
    plugin: (url) => moonshotProvider({ endpoint: `${url}/anthropic`, apiKey: KEY }),
    auth: ['authorization', `Bearer ${KEY}`],
  },
];

let kernel: Kernel | undefined;
let fake: Fake | undefined;
afterEach(async () => {
  await kernel?.stop();
  await fake?.close();
  kernel = fake = undefined;
});

/** A raw reply that sends the opening frames and holds the stream open; `closed` resolves when its socket closes. */
function holdOpen(subject: Subject): { reply: RawReply; closed: Promise<unknown> } {
  let closedBy!: (res: http.ServerResponse) => void;
  const closed = new Promise<http.ServerResponse>((resolve) => (closedBy = resolve));
  const reply: RawReply = {
    raw: async (_req, res, ctx) => {
      res.on('close', () => closedBy(res));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(subject.openingFrames().join(''));
      await once(ctx.signal, 'abort');
    },
  };
  return { reply, closed };
}

describe.each(subjects)('$name', (subject) => {
  async function boot(): Promise<Kernel> {
    fake = await subject.start();
    kernel = await testKernel({ plugins: [subject.plugin(fake.url), routeTo(subject.provider, subject.model)] });
    return kernel;
  }
  const enqueue = (reply: object) => fake!.enqueue(reply as never);

  it.each([
    [400, 400],
    [404, 404],
    [429, 429],
    [500, 502],
  ])('maps an upstream %i to a client %i, with the upstream message, request id and retry-after', async (upstream, client) => {
    await boot();
    enqueue({ status: upstream, error: { message: `failed with ${upstream}` }, headers: { 'retry-after': '7' } });
    const err = await failure(run(kernel!, userRequest('hi', { stream: true })));
    expect(err).toMatchObject({
      code: 'LYNKR_ERR_UPSTREAM_HTTP',
      status: client,
      message: `upstream "${subject.provider}" answered ${upstream}: failed with ${upstream}`,
      headers: { 'retry-after': '7', 'upstream-request-id': 'req_fake1' },
    });
  });

  it('ends a stream that dies halfway with DISCONNECTED, after well-formed events', async () => {
    await boot();
    enqueue(subject.cut('a few words here'));
    const { events, error } = await run(kernel!, userRequest('hi', { stream: true }));
    expect(events.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: 'LYNKR_ERR_UPSTREAM_DISCONNECTED', status: 502 });
    expect(checkGrammar([...events, errorEvent(error!)])).toEqual([]);
  });

  it('aborts the upstream request when the client goes away', async () => {
    await boot();
    const { reply, closed } = holdOpen(subject);
    enqueue(reply);
    const abort = new AbortController();
    const result = await kernel!.pipeline.handle(userRequest('hi', { stream: true }), exchange(kernel!, { signal: abort.signal }));
    const events = result.events[Symbol.asyncIterator]();
    expect((await events.next()).value).toMatchObject({ type: 'message_start' });
    const reason = new LynkrError('LYNKR_ERR_CLIENT_ABORTED', 'the client closed the connection');
    abort.abort(reason);
    let error: unknown;
    try {
      while (!(await events.next()).done);
    } catch (e) {
      error = e;
    }
    expect(error).toBe(reason);
    await closed;
  });

  it('sends its own credential and never the client\'s', async () => {
    await boot();
    await run(kernel!, userRequest('hi'), { headers: { 'x-api-key': 'sk-client-secret', authorization: 'Bearer client-secret', 'api-key': 'client-secret', cookie: 'c=1' } });
    const sent = fake!.requests[0]!.headers;
    const [name, value] = subject.auth;
    expect(sent[name]).toBe(value);
    expect(JSON.stringify(sent)).not.toMatch(/client-secret|c=1/);
  });
});
