import { afterEach, describe, expect, it } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import { decodeSSE, definePlugin, messageToEvents, type Kernel, type MessagesRequest, type StreamEvent } from '../../kernel/index.js';
import { answer, testKernel } from '../../test/helpers/kernel.js';
import { openaiApi } from './index.js';

/** What the scripted provider saw. */
interface Seen {
  requests: MessagesRequest[];
  aborted: boolean;
}

type Script = (request: MessagesRequest, signal: AbortSignal) => AsyncGenerator<StreamEvent>;

/** A provider that answers with `script` and records what it got, and a route to it. */
const scripted = (script: Script, seen: Seen) =>
  definePlugin({
    name: 'scripted',
    version: '1.0.0',
    kernel: '^1',
    setup(ctx) {
      ctx.providers.register({
        id: 'scripted',
        wire: 'test',
        async invoke({ request, exchange }) {
          seen.requests.push(request);
          exchange.signal.addEventListener('abort', () => (seen.aborted = true), { once: true });
          return { events: script(request, exchange.signal) };
        },
      });
      ctx.hooks.on('route', (d) => ({ ...d, provider: 'scripted', model: 'scripted-model' }));
    },
  })();

async function* whole(request: MessagesRequest): AsyncGenerator<StreamEvent> {
  yield* messageToEvents(answer(request, 'Hi there.'));
}

/** Starts, says a word, then waits until the client goes away. */
async function* hanging(request: MessagesRequest, signal: AbortSignal): AsyncGenerator<StreamEvent> {
  yield* messageToEvents(answer(request, 'partial')).slice(0, 3);
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
}

/** Starts, then the upstream reports an error in the stream. */
async function* failing(request: MessagesRequest): AsyncGenerator<StreamEvent> {
  yield* messageToEvents(answer(request, 'partial')).slice(0, 3);
  yield { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
}

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

async function boot(script: Script, options: Parameters<typeof openaiApi>[0] = {}): Promise<{ url: string; seen: Seen }> {
  const seen: Seen = { requests: [], aborted: false };
  kernel = await testKernel({ server: { port: 0 }, plugins: [openaiApi(options), scripted(script, seen)] });
  const { url } = await kernel.start();
  return { url, seen };
}

const post = (url: string, path: string, body: unknown, signal?: AbortSignal) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(signal && { signal }) });

async function frames(res: Response): Promise<Array<{ event?: string; data: string }>> {
  const out: Array<{ event?: string; data: string }> = [];
  for await (const frame of decodeSSE(res.body as AsyncIterable<Uint8Array>)) out.push(frame);
  return out;
}

const chatBody = { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] };
const responsesBody = { model: 'm', stream: true, input: 'hi', store: false };

describe('api-openai streams', () => {
  it('frames each Responses event as event: <type> with its data, sequence numbers rising', async () => {
    const { url } = await boot(whole);
    const res = await post(url, '/v1/responses', responsesBody);
    expect(res.headers.get('x-lynkr-provider')).toBe('scripted');
    const all = await frames(res);
    const events = all.map((f) => JSON.parse(f.data) as { type: string; sequence_number: number });
    expect(all.map((f) => f.event)).toEqual(events.map((e) => e.type));
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.at(-1)?.type).toBe('response.completed');
  });

  it.each([
    ['/v1/chat/completions', chatBody],
    ['/v1/responses', responsesBody],
  ])('stops the upstream when the client of %s goes away mid-stream', async (path, body) => {
    const { url, seen } = await boot(hanging);
    const controller = new AbortController();
    const res = await post(url, path, body, controller.signal);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    for (let i = 0; i < 50 && !seen.aborted; i++) await delay(10);
    expect(seen.aborted).toBe(true);
  });

  it('keeps a silent stream alive with SSE comments before the first event', async () => {
    const { url } = await boot(async function* slow(request) {
      await delay(120);
      yield* whole(request);
    }, { pingIntervalMs: 20 });
    const res = await post(url, '/v1/chat/completions', chatBody);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.startsWith(': ping\n\n')).toBe(true);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('ends a Chat stream that failed after its first byte with an error object and no [DONE]', async () => {
    const { url } = await boot(failing);
    const all = await frames(await post(url, '/v1/chat/completions', chatBody));
    expect(all.at(-1)?.data).not.toBe('[DONE]');
    expect(JSON.parse(all.at(-1)!.data)).toEqual({ error: { message: 'Overloaded', type: 'server_error', param: null, code: 'LYNKR_ERR_UPSTREAM_HTTP' } });
  });

  it('ends a Responses stream that failed after its first byte with response.failed', async () => {
    const { url } = await boot(failing);
    const all = await frames(await post(url, '/v1/responses', responsesBody));
    expect(all.at(-1)?.event).toBe('response.failed');
    expect(JSON.parse(all.at(-1)!.data)).toMatchObject({ response: { status: 'failed', error: { code: 'server_error', message: 'Overloaded' } } });
  });
});

describe('api-openai options', () => {
  it('gives a request without an output limit defaultMaxTokens', async () => {
    const { url, seen } = await boot(whole, { defaultMaxTokens: 1234 });
    await post(url, '/v1/chat/completions', { ...chatBody, stream: false });
    await post(url, '/v1/responses', { ...responsesBody, stream: false });
    await post(url, '/v1/responses', { ...responsesBody, stream: false, max_output_tokens: 99 });
    expect(seen.requests.map((r) => r.max_tokens)).toEqual([1234, 1234, 99]);
  });

  it('stores nothing with storeResponses off, and says why a continuation fails', async () => {
    const { url } = await boot(whole, { storeResponses: false });
    const first = (await (await post(url, '/v1/responses', { model: 'm', input: 'hi' })).json()) as { id: string; store: boolean };
    expect(first.store).toBe(false);
    const res = await post(url, '/v1/responses', { model: 'm', input: 'again', previous_response_id: first.id });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { param: 'previous_response_id', message: expect.stringContaining('storeResponses: false') } });
  });

  it('does not store a response the request asked not to store', async () => {
    const { url } = await boot(whole);
    const first = (await (await post(url, '/v1/responses', { model: 'm', input: 'hi', store: false })).json()) as { id: string };
    const res = await post(url, '/v1/responses', { model: 'm', input: 'again', previous_response_id: first.id });
    expect(res.status).toBe(400);
  });
});
