/**
 * An Anthropic client in front of an Anthropic upstream: when nothing on the
 * response path changes events, the answer reaches the client as the
 * upstream's bytes (kernel/ir/verbatim.ts). The upstream here writes what
 * Anthropic's grammar allows but Lynkr's own encoder would not produce
 * (spaces in the JSON, comments, frames split across writes, CRLF line
 * ends), so that byte equality shows the bytes were not re-encoded.
 */
import { once } from 'node:events';
import type http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import { request as httpRequest } from 'undici';
import type { ExchangeSummary, Kernel } from '../../kernel/index.js';
import { definePlugin } from '../../kernel/plugin/define.js';
import { anthropicProvider } from '../../plugins/provider-anthropic/index.js';
import { parseSse, startFakeAnthropic, type FakeAnthropic } from '../fakes/index.js';
import { testKernel } from '../helpers/kernel.js';
import { routeTo } from './helpers.js';

const KEY = 'sk-ant-upstream-0123456789';

/** A stream as Anthropic's grammar allows it, spelled unlike Lynkr's encoder: spaced JSON, a comment, a ping, an unknown field. */
function upstreamFrames(eol = '\n'): string[] {
  const frame = (event: string, data: unknown) => `event: ${event}${eol}data: ${JSON.stringify(data, null, 1).replaceAll('\n', '')}${eol}${eol}`;
  return [
    frame('message_start', {
      type: 'message_start',
      message: { id: 'msg_up', type: 'message', role: 'assistant', model: 'claude-upstream', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 21, output_tokens: 1 } },
    }),
    `: a comment every SSE reader skips${eol}${eol}`,
    frame('ping', { type: 'ping' }),
    frame('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    frame('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello ' }, future: true }),
    frame('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'from upstream.' } }),
    frame('content_block_stop', { type: 'content_block_stop', index: 0 }),
    frame('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 7 } }),
    frame('message_stop', { type: 'message_stop' }),
  ];
}

/** One event as Anthropic frames it. */
const sseFrameOf = (data: { type: string } & Record<string, unknown>) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;

/** The upstream's text cut at odd places: no write ends at a frame's end. */
function oddWrites(text: string): string[] {
  const cuts = [17, 230, 231, 400, 555, 700];
  const out: string[] = [];
  let from = 0;
  for (const at of cuts.filter((c) => c < text.length)) {
    out.push(text.slice(from, at));
    from = at;
  }
  out.push(text.slice(from));
  return out;
}

/** Write each piece in its own write, waiting for it to flush. */
async function writePieces(res: http.ServerResponse, pieces: readonly string[]): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_up' });
  for (const piece of pieces) {
    await new Promise<void>((resolve, reject) => res.write(piece, (error) => (error ? reject(error) : resolve())));
    // A turn of the event loop between writes, so that they arrive as separate reads.
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A raw reply: the pieces, then the end of the body. */
const replyWith =
  (pieces: readonly string[]) =>
  async (_req: unknown, res: http.ServerResponse): Promise<void> => {
    await writePieces(res, pieces);
    res.end();
  };

let fake: FakeAnthropic;
let kernel: Kernel;
let url: string;
let nextSummary: Promise<ExchangeSummary>;
let onSummary: (s: ExchangeSummary) => void;

const observer = definePlugin({
  name: 'observer',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    ctx.hooks.on('responseSent', (summary) => {
      onSummary(summary);
    });
  },
});

/** Rewrites every text delta: a postResponse handler, so the answer must travel as events. */
const shout = definePlugin({
  name: 'shout',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    ctx.hooks.on('postResponse', (event) =>
      event.type === 'content_block_delta' && event.delta.type === 'text_delta' ? { ...event, delta: { ...event.delta, text: event.delta.text.toUpperCase() } } : undefined,
    );
  },
});

async function boot(...more: Array<ReturnType<typeof shout>>): Promise<void> {
  kernel = await testKernel({
    server: { port: 0 },
    plugins: ['api-anthropic', anthropicProvider({ baseUrl: fake.url, apiKey: KEY }), routeTo('anthropic', 'claude-upstream'), observer(), ...more],
  });
  url = (await kernel.start()).url;
}

beforeEach(async () => {
  fake = await startFakeAnthropic();
  nextSummary = new Promise((resolve) => (onSummary = resolve));
});
afterEach(async () => {
  await kernel.stop();
  await fake.close();
});

const ask = (stream: boolean) => ({ model: 'claude-test', max_tokens: 64, stream, messages: [{ role: 'user', content: 'Say hello.' }] });

/** The raw answer to a POST /v1/messages. */
async function post(stream: boolean, signal?: AbortSignal) {
  return httpRequest(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'client-key', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(ask(stream)),
    signal,
  });
}

const sdk = () => new Anthropic({ baseURL: url, apiKey: 'client-key', maxRetries: 0 });

describe('Anthropic passthrough: the answer as the upstream sent it', () => {
  it("writes a stream's bytes unchanged, however the upstream split them", async () => {
    const text = upstreamFrames().join('');
    fake.enqueue({ raw: replyWith(oddWrites(text)) });
    await boot();
    const res = await post(true);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['x-lynkr-provider']).toBe('anthropic');
    expect(await res.body.text()).toBe(text);
  });

  it('passes CRLF frames through, and the SDK reads them', async () => {
    const text = upstreamFrames('\r\n').join('');
    fake.enqueue({ raw: replyWith(oddWrites(text)) }, { raw: replyWith(oddWrites(text)) });
    await boot();
    const res = await post(true);
    expect(await res.body.text()).toBe(text);
    const message = await sdk().messages.stream(ask(true) as Anthropic.MessageCreateParamsStreaming).finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from upstream.' }]);
    expect(message.usage.output_tokens).toBe(7);
  });

  it('reads the usage of a stream whose lines end with a lone CR, split anywhere', async () => {
    const text = upstreamFrames('\r').join('');
    fake.enqueue({ raw: replyWith(oddWrites(text)) });
    await boot();
    expect(await (await post(true)).body.text()).toBe(text);
    const summary = await nextSummary;
    expect(summary.error).toBeUndefined();
    expect(summary.usage).toEqual({ input_tokens: 21, output_tokens: 7 });
  });

  it("sends a whole answer's body as it came, and the SDK reads it", async () => {
    const body = JSON.stringify(
      {
        id: 'msg_whole',
        type: 'message',
        role: 'assistant',
        model: 'claude-upstream',
        content: [{ type: 'text', text: 'Whole answer.' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 12, output_tokens: 3 },
        future_field: { kept: true },
      },
      null,
      2,
    );
    const send = async (_req: unknown, res: http.ServerResponse) => void res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    fake.enqueue({ raw: send }, { raw: send });
    await boot();
    const res = await post(false);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(await res.body.text()).toBe(body);
    const message = await sdk().messages.create(ask(false) as Anthropic.MessageCreateParamsNonStreaming);
    expect(message.content).toEqual([{ type: 'text', text: 'Whole answer.' }]);
  });

  it('content that quotes the event names does not confuse what the summary reads', async () => {
    const frames = upstreamFrames();
    const quoting = Array.from({ length: 20 }, (_, i) =>
      sseFrameOf({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `${i}: "message_delta" and "error" ` } }),
    );
    const pieces = [...frames.slice(0, 4), ...quoting, ...frames.slice(6)];
    fake.enqueue({ raw: replyWith(pieces) });
    await boot();
    expect(await (await post(true)).body.text()).toBe(pieces.join(''));
    const summary = await nextSummary;
    expect(summary.error).toBeUndefined();
    expect(summary.stopReason).toBe('end_turn');
    expect(summary.usage).toEqual({ input_tokens: 21, output_tokens: 7 });
  });

  it('tells the responseSent observers the usage and stop reason the bytes carried, and when the first of them went out', async () => {
    const text = upstreamFrames().join('');
    fake.enqueue({ raw: replyWith(oddWrites(text)) });
    await boot();
    await (await post(true)).body.text();
    const summary = await nextSummary;
    expect(summary.error).toBeUndefined();
    expect(summary.stopReason).toBe('end_turn');
    expect(summary.usage).toEqual({ input_tokens: 21, output_tokens: 7 });
    expect(summary.firstEventMs).toBeGreaterThanOrEqual(0);
    expect(summary.firstEventMs).toBeLessThanOrEqual(summary.durationMs);
  });

  it('a stream cut inside a frame: the whole frames, then an error event, never half a frame', async () => {
    const frames = upstreamFrames();
    const sent = frames.slice(0, 5).join('');
    const half = frames[5]!.slice(0, frames[5]!.indexOf('from upstream') + 13);
    fake.enqueue({
      raw: async (_req, res) => {
        await writePieces(res, [sent, half]);
        res.destroy();
      },
    });
    await boot();
    const body = await (await post(true)).body.text();
    expect(body.startsWith(sent)).toBe(true);
    const rest = parseSse(body.slice(sent.length));
    expect(rest.map((f) => f.event)).toEqual(['error']);
    expect(JSON.parse(rest[0]!.data)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect(body).not.toContain('from upstream');
    const summary = await nextSummary;
    expect(summary.error?.code).toBe('LYNKR_ERR_UPSTREAM_DISCONNECTED');
  });

  it('never lets a frame that quotes the key through', async () => {
    const frames = upstreamFrames();
    const quoting = `event: error\ndata: {"type":"error","error":{"type":"api_error","message":"bad key ${KEY}"}}\n\n`;
    fake.enqueue({ raw: replyWith([...frames.slice(0, 5), quoting]) });
    await boot();
    const body = await (await post(true)).body.text();
    expect(body).not.toContain(KEY);
    expect(body).toContain('bad key [redacted]');
    expect(body.startsWith(frames.slice(0, 5).join(''))).toBe(true);
  });

  it('ends the answer at message_stop, even if the upstream keeps the connection open', async () => {
    const text = upstreamFrames().join('');
    fake.enqueue({
      raw: async (_req, res, ctx) => {
        await writePieces(res, [text]);
        // Never ends the body: only Lynkr's release of the connection, or the fake's close, ends this.
        await once(ctx.signal, 'abort').catch(() => undefined);
      },
    });
    await boot();
    expect(await (await post(true)).body.text()).toBe(text);
    expect((await nextSummary).stopReason).toBe('end_turn');
  });

  it('frames without event names: re-encoded with them, for clients that dispatch on the name', async () => {
    const text = upstreamFrames()
      .map((frame) => frame.replace(/^event: .*\n/, ''))
      .join('');
    fake.enqueue({ raw: replyWith(oddWrites(text)) }, { raw: replyWith(oddWrites(text)) });
    await boot();
    const frames = parseSse(await (await post(true)).body.text());
    expect(frames.map((f) => f.event)).toEqual(frames.map((f) => (JSON.parse(f.data) as { type: string }).type));
    expect(frames.map((f) => f.event)).toContain('message_stop');
    const message = await sdk().messages.stream(ask(true) as Anthropic.MessageCreateParamsStreaming).finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from upstream.' }]);
  });

  it('a frame without a name after a named start: still passed through, and the answer ends at message_stop', async () => {
    const frames = upstreamFrames();
    const text = [...frames.slice(0, -1), frames.at(-1)!.replace(/^event: .*\n/, '')].join('');
    fake.enqueue({
      raw: async (_req, res, ctx) => {
        await writePieces(res, oddWrites(text));
        // The body never ends: the unnamed message_stop alone must end the answer.
        await once(ctx.signal, 'abort').catch(() => undefined);
      },
    });
    await boot();
    expect(await (await post(true)).body.text()).toBe(text);
    const summary = await nextSummary;
    expect(summary.error).toBeUndefined();
    expect(summary.usage).toEqual({ input_tokens: 21, output_tokens: 7 });
  });

  it('a 200 whose body is an error, not a message: the client gets that error, in its format', async () => {
    fake.enqueue({ raw: async (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(`{"type":"error","error":{"type":"overloaded_error","message":"busy, ${KEY}"}}`) });
    await boot();
    const res = await post(false);
    expect(res.statusCode).toBe(529);
    const body = await res.body.text();
    expect(body).not.toContain(KEY);
    expect(JSON.parse(body)).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
  });

  it('a frame after message_stop: the answer is still complete when the body ends', async () => {
    const text = `${upstreamFrames().join('')}event: ping\ndata: {"type":"ping"}\n\n`;
    fake.enqueue({ raw: replyWith([text]) });
    await boot();
    expect(await (await post(true)).body.text()).toBe(text);
    const summary = await nextSummary;
    expect(summary.error).toBeUndefined();
    expect(summary.stopReason).toBe('end_turn');
  });

  it('a client that leaves aborts the upstream request', async () => {
    const frames = upstreamFrames();
    let upstreamGone!: Promise<unknown>;
    fake.enqueue({
      raw: async (_req, res, ctx) => {
        upstreamGone = once(ctx.signal, 'abort');
        await writePieces(res, frames.slice(0, 5));
        await upstreamGone.catch(() => undefined);
      },
    });
    await boot();
    const leave = new AbortController();
    const res = await post(true, leave.signal);
    for await (const chunk of res.body) {
      if (String(chunk).includes('content_block_delta')) break;
    }
    leave.abort();
    await upstreamGone;
    expect((await nextSummary).error?.code).toBe('LYNKR_ERR_CLIENT_ABORTED');
  });

  it('with a postResponse handler, the answer travels as events and the handler sees every one', async () => {
    const text = upstreamFrames().join('');
    fake.enqueue({ raw: replyWith(oddWrites(text)) });
    await boot(shout());
    const body = await (await post(true)).body.text();
    expect(body).not.toBe(text);
    const deltas = parseSse(body).filter((f) => f.event === 'content_block_delta');
    expect(deltas.map((f) => (JSON.parse(f.data) as { delta: { text: string } }).delta.text)).toEqual(['HELLO ', 'FROM UPSTREAM.']);
    expect((await nextSummary).usage).toEqual({ input_tokens: 21, output_tokens: 7 });
  });
});

describe('an error event in the middle of the answer', () => {
  /** The start of an answer, then the upstream's failure as Anthropic sends it (overloaded, mid-stream). */
  const failing = () => [
    ...upstreamFrames().slice(0, 5),
    sseFrameOf({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
  ];

  /** What the observers must hear: the upstream's failure, with the status its type stands for. */
  const expectUpstreamFailure = (summary: ExchangeSummary) => {
    expect(summary.error?.code).toBe('LYNKR_ERR_UPSTREAM_HTTP');
    expect(summary.error?.status).toBe(529);
    expect(summary.error?.message).toBe('Overloaded');
    expect(summary.usage).toEqual({ input_tokens: 21, output_tokens: 1 });
  };

  it('passed through as bytes: the client gets it as sent, the observers hear the answer failed', async () => {
    const text = failing().join('');
    fake.enqueue({ raw: replyWith(oddWrites(text)) });
    await boot();
    expect(await (await post(true)).body.text()).toBe(text);
    expectUpstreamFailure(await nextSummary);
  });

  it('read as events: the client gets the error event, the observers hear the answer failed', async () => {
    fake.enqueue({ raw: replyWith(failing()) });
    await boot(shout());
    const frames = parseSse(await (await post(true)).body.text());
    expect(frames.at(-1)?.event).toBe('error');
    expectUpstreamFailure(await nextSummary);
  });
});
