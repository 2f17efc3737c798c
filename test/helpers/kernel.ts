import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { createKernel, type Kernel } from '../../kernel/kernel.js';
import { resolveConfig } from '../../kernel/config/load.js';
import type { LynkrConfig } from '../../kernel/config/schema.js';
import { definePlugin } from '../../kernel/plugin/define.js';
import type { MessagesRequest, MessagesResponse } from '../../kernel/ir/types.js';
import { collectMessage, messageToEvents } from '../../kernel/ir/stream.js';

/** A logger whose lines tests can read. */
export function memoryLogger(level = 'debug'): { log: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const log = pino({ level, redact: { paths: [], censor: '' } }, stream);
  return {
    log,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Build a kernel from an inline config, on in-memory storage, with an empty environment. */
export async function testKernel(config: LynkrConfig, options: { logger?: Logger; env?: Record<string, string> } = {}): Promise<Kernel> {
  const resolved = resolveConfig({ storage: 'memory://', ...config }, { cwd: process.cwd(), source: 'inline', env: options.env ?? {} });
  return createKernel(resolved, { logger: options.logger ?? pino({ level: 'silent' }) });
}

export function answer(request: MessagesRequest, text: string, model = request.model): MessagesResponse {
  return {
    id: 'msg_test',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 3, output_tokens: 2 },
  };
}

/**
 * A provider that answers "<provider>: <last user text>" and a route that picks it,
 * so kernel tests can drive whole requests without HTTP upstreams.
 */
export const echoProvider = definePlugin({
  name: 'echo-provider',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    ctx.providers.register({
      id: 'echo',
      wire: 'test',
      async invoke({ request, decision }) {
        const last = request.messages.at(-1);
        const text = typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content);
        return { events: iterate(messageToEvents(answer(request, `echo: ${text}`, decision.model))) };
      },
    });
    ctx.hooks.on('route', (d) => ({ ...d, provider: d.provider ?? 'echo', reasons: [...d.reasons, 'echo-provider'] }));
  },
});

export async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

export const request = (text: string, extra: Partial<MessagesRequest> = {}): MessagesRequest => ({
  model: 'test-model',
  max_tokens: 64,
  messages: [{ role: 'user', content: text }],
  ...extra,
});

/**
 * A minimal API surface for kernel tests: POST /test/messages runs the body
 * through the pipeline and answers the collected message as JSON, with the
 * pipeline's headers.
 */
export const testSurface = definePlugin({
  name: 'test-surface',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    ctx.http.route({
      method: 'POST',
      url: '/test/messages',
      async handler(req, reply, ex) {
        const result = await ctx.pipeline.handle(req.body as MessagesRequest, ex);
        const message = await collectMessage(result.events);
        return reply.headers(result.headers).send({ message, decision: result.decision ?? null, team: ex.team ?? null });
      },
    });
  },
});
