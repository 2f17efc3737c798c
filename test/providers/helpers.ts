/**
 * Helpers for provider tests: a route that picks the provider under test,
 * an exchange the test controls (abort signal, client headers), and a
 * runner that collects a stream's events and the error that ended it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { expect } from '@jest/globals';
import { definePlugin } from '../../kernel/plugin/define.js';
import { LynkrError } from '../../kernel/errors.js';
import { createExchange } from '../../kernel/pipeline/exchange.js';
import type { Exchange } from '../../kernel/pipeline/types.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { MessagesRequest, StreamEvent } from '../../kernel/ir/types.js';

/** A route plugin that sends every request to `provider` (and `model`, when given). */
export const routeTo = (provider: string, model?: string) =>
  definePlugin({
    name: 'route-to',
    version: '1.0.0',
    kernel: '^1',
    setup(ctx) {
      ctx.hooks.on('route', (d) => ({ ...d, provider, ...(model !== undefined && { model }), reasons: [...d.reasons, 'test'] }));
    },
  })();

/** An exchange as an API plugin would build it, with the client's headers and abort signal. */
export function exchange(kernel: Kernel, opts: { signal?: AbortSignal; headers?: IncomingHttpHeaders } = {}): Exchange {
  return createExchange({ id: 'req_test', surface: 'test', log: kernel.log, ...opts });
}

/** What came out of a request: every event, the pipeline's headers, and the error that ended the stream, if any. */
export interface Outcome {
  events: StreamEvent[];
  headers: Record<string, string>;
  error: LynkrError | undefined;
}

/**
 * Run a request through the pipeline and read its events to the end. A
 * failure before the first event rejects (as `handle` does); one after it
 * is returned in `error`.
 */
export async function run(
  kernel: Kernel,
  request: MessagesRequest,
  opts: { signal?: AbortSignal; headers?: IncomingHttpHeaders } = {},
): Promise<Outcome> {
  const result = await kernel.pipeline.handle(request, exchange(kernel, opts));
  const events: StreamEvent[] = [];
  try {
    for await (const ev of result.events) events.push(ev);
  } catch (error) {
    expect(error).toBeInstanceOf(LynkrError);
    return { events, headers: result.headers, error: error as LynkrError };
  }
  return { events, headers: result.headers, error: undefined };
}

/** The LynkrError a promise rejects with. */
export async function failure(p: Promise<unknown>): Promise<LynkrError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(LynkrError);
    return error as LynkrError;
  }
  throw new Error('expected the promise to reject');
}

/** The error event an API plugin writes when a stream fails after it began. */
export const errorEvent = (error: LynkrError): StreamEvent => ({ type: 'error', error: { type: 'api_error', message: error.message } });

export const userRequest = (text: string, extra: Partial<MessagesRequest> = {}): MessagesRequest => ({
  model: 'client-model',
  max_tokens: 256,
  messages: [{ role: 'user', content: text }],
  ...extra,
});
