/**
 * What the fault table needs besides the fakes: a port that refuses
 * connections and can come back, and one call per API surface through its
 * official SDK, reduced to the outcome the caller sees.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { readStreamBody } from '../fakes/index.js';

/** The upstream key configured on the provider: no error body, message or header may carry it. */
export const SECRET = 'sk-fault-suite-9f1c2e7a4b-do-not-leak';

/** Small enough to keep the timeout cells quick, large enough for a loaded 2-core machine to answer a normal request in. */
export const TIMEOUTS = { firstByteMs: 500, idleMs: 400 } as const;

/** A hung socket makes the SDK fail with a connection timeout instead of running into jest's own. */
const CLIENT_TIMEOUT_MS = 10_000;

type AnthropicError = InstanceType<typeof Anthropic.APIError>;
type OpenAIError = InstanceType<typeof OpenAI.APIError>;

/** What a caller saw. */
export type Outcome =
  /** The answer, whole. */
  | { kind: 'ok'; text: string }
  /** An HTTP error status before any byte of the answer: the SDK's status error. */
  | { kind: 'http'; status: number; error: AnthropicError | OpenAIError; headers: Headers; body: unknown }
  /**
   * A 200 whose stream ended with an error: Anthropic `event: error` and
   * Chat error chunks raise an APIError without status; Responses ends with
   * `response.failed`, whose `error` is the body. `partial` is the text that
   * arrived before.
   */
  | { kind: 'stream'; error?: AnthropicError | OpenAIError; body: unknown; partial: string; lastEvent?: string };

export type SurfaceName = 'anthropic' | 'chat' | 'responses';

export interface Clients {
  anthropic: Anthropic;
  openai: OpenAI;
}

export function clientsFor(url: string): Clients {
  return {
    anthropic: new Anthropic({ baseURL: url, apiKey: 'client-key', maxRetries: 0, timeout: CLIENT_TIMEOUT_MS }),
    openai: new OpenAI({ baseURL: `${url}/v1`, apiKey: 'client-key', maxRetries: 0, timeout: CLIENT_TIMEOUT_MS }),
  };
}

/** One request on one surface, streamed or not, through the SDK's own helpers. */
export function call(clients: Clients, surface: SurfaceName, stream: boolean, text: string): Promise<Outcome> {
  switch (surface) {
    case 'anthropic':
      return callAnthropic(clients.anthropic, stream, text);
    case 'chat':
      return callChat(clients.openai, stream, text);
    case 'responses':
      return callResponses(clients.openai, stream, text);
  }
}

async function callAnthropic(client: Anthropic, stream: boolean, text: string): Promise<Outcome> {
  const params = { model: 'claude-x', max_tokens: 50, messages: [{ role: 'user' as const, content: text }] };
  let partial = '';
  try {
    const message = stream
      ? await client.messages
          .stream(params)
          .on('text', (t) => (partial += t))
          .finalMessage()
      : await client.messages.create(params);
    return { kind: 'ok', text: message.content.map((b) => (b.type === 'text' ? b.text : '')).join('') };
  } catch (error) {
    // A connection error (a hung or cut socket) is never an acceptable outcome: let it fail the test.
    if (!(error instanceof Anthropic.APIError) || error instanceof Anthropic.APIConnectionError) throw error;
    if (error.status === undefined) return { kind: 'stream', error, body: error.error, partial };
    return { kind: 'http', status: error.status, error, headers: error.headers as Headers, body: error.error };
  }
}

async function callChat(client: OpenAI, stream: boolean, text: string): Promise<Outcome> {
  const params = { model: 'gpt-x', messages: [{ role: 'user' as const, content: text }] };
  let partial = '';
  try {
    const completion = stream
      ? await client.chat.completions
          .stream(params)
          .on('content', (delta) => (partial += delta))
          .finalChatCompletion()
      : await client.chat.completions.create(params);
    return { kind: 'ok', text: completion.choices[0]?.message.content ?? '' };
  } catch (error) {
    return openaiFailure(error, partial);
  }
}

async function callResponses(client: OpenAI, stream: boolean, text: string): Promise<Outcome> {
  const params = { model: 'gpt-x', input: text, store: false };
  let partial = '';
  let lastEvent: string | undefined;
  try {
    const response = stream
      ? await client.responses
          .stream(params)
          .on('event', (ev: ResponseStreamEvent) => {
            lastEvent = ev.type;
            if (ev.type === 'response.output_text.delta') partial += ev.delta;
          })
          .finalResponse()
      : await client.responses.create(params);
    if (response.status === 'failed') return { kind: 'stream', body: response.error, partial, lastEvent };
    if (response.status !== 'completed') throw new Error(`response ended ${response.status}`);
    return { kind: 'ok', text: response.output_text };
  } catch (error) {
    return openaiFailure(error, partial);
  }
}

function openaiFailure(error: unknown, partial: string): Outcome {
  if (!(error instanceof OpenAI.APIError) || error instanceof OpenAI.APIConnectionError) throw error;
  // The SDK keeps the `error` object of OpenAI's `{error: {...}}` body.
  if (error.status === undefined) return { kind: 'stream', error, body: error.error, partial };
  return { kind: 'http', status: error.status, error, headers: error.headers as Headers, body: error.error };
}

/**
 * The same request as `call(surface, stream: true)`, sent with fetch: the
 * stream's bytes as they came, and the error that cut the socket, if one did.
 */
export async function rawStream(url: string, surface: SurfaceName, text: string): Promise<{ text: string; error?: unknown }> {
  const [path, body] =
    surface === 'anthropic'
      ? ['/v1/messages', { model: 'claude-x', max_tokens: 50, stream: true, messages: [{ role: 'user', content: text }] }]
      : surface === 'chat'
        ? ['/v1/chat/completions', { model: 'gpt-x', stream: true, messages: [{ role: 'user', content: text }] }]
        : ['/v1/responses', { model: 'gpt-x', stream: true, store: false, input: text }];
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', authorization: 'Bearer client-key' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
  });
  if (res.status !== 200 || res.headers.get('content-type') !== 'text/event-stream') throw new Error(`expected a 200 stream, got ${res.status}`);
  return readStreamBody(res);
}

/** Everything of an outcome a client could read, as one string: to look for a secret in. */
export function visible(outcome: Outcome): string {
  if (outcome.kind === 'ok') return outcome.text;
  const headers = outcome.kind === 'http' ? [...outcome.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n') : '';
  return [outcome.error?.message ?? '', JSON.stringify(outcome.body), headers].join('\n');
}

/** A port on 127.0.0.1 that had a listener a moment ago and has none now: connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP forwarder on a fixed port that can be shut (connections refused)
 * and opened again (to `target`): an upstream that goes away and comes
 * back, without the kernel's configuration changing.
 */
export class Gate {
  readonly #port: number;
  readonly #target: number;
  #server: net.Server | undefined;
  readonly #sockets = new Set<net.Socket>();

  constructor(port: number, target: number) {
    this.#port = port;
    this.#target = target;
  }

  async open(): Promise<void> {
    if (this.#server) return;
    const server = net.createServer((inbound) => {
      const outbound = net.connect(this.#target, '127.0.0.1');
      for (const s of [inbound, outbound]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
  }

  /** Stop listening and cut every forwarded connection, kept-alive ones included. */
  async shut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
