/**
 * Runs the fault table against one upstream wire: every row × the three
 * surfaces × streamed or not, through the official SDKs. A stream that fails
 * after its first byte is read once more off the wire, to check its last
 * frame. Each cell ends with a normal request that must succeed on the same
 * server.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { Kernel } from '../../kernel/kernel.js';
import { anthropicStreamProblems, parseSse, type FakeServer } from '../fakes/index.js';
import { testKernel } from '../helpers/kernel.js';
import { call, clientsFor, closedPort, Gate, rawStream, SECRET, visible, type Clients, type Outcome, type SurfaceName } from './harness.js';
import { ROWS, type Expectation, type Row } from './table.js';
import type { Wire } from './wires.js';

const SURFACES: SurfaceName[] = ['anthropic', 'chat', 'responses'];

/** Anthropic's error type for each status a cell ends with. */
const ANTHROPIC_TYPE: Record<number, string> = { 401: 'authentication_error', 429: 'rate_limit_error', 502: 'api_error', 504: 'timeout_error', 529: 'overloaded_error' };
type ErrorClass = new (...args: never[]) => Error;
const ANTHROPIC_CLASS: Record<number, ErrorClass> = {
  401: Anthropic.AuthenticationError,
  429: Anthropic.RateLimitError,
  502: Anthropic.InternalServerError,
  504: Anthropic.GatewayTimeoutError,
  529: Anthropic.OverloadedError,
};
const OPENAI_CLASS: Record<number, ErrorClass> = {
  401: OpenAI.AuthenticationError,
  429: OpenAI.RateLimitError,
  502: OpenAI.InternalServerError,
  504: OpenAI.InternalServerError,
  529: OpenAI.InternalServerError,
};

export function faultTable(wire: Wire): void {
  describe(`fault table, ${wire.name} upstream`, () => {
    let fake: FakeServer;
    let plan: Row['reply'];
    let served = 0;
    let kernel: Kernel;
    let url: string;
    let clients: Clients;
    // A second server whose upstream is a gate that refuses connections until it is opened to the fake.
    let gate: Gate;
    let gated: Kernel;
    let gatedClients: Clients;

    const boot = async (origin: string): Promise<Kernel> =>
      testKernel({
        server: { port: 0 },
        plugins: ['api-anthropic', 'api-openai', wire.provider(origin), ['router-static', { target: wire.target }], ['resilience', { retry: { baseDelayMs: 0 } }]],
      });

    beforeAll(async () => {
      fake = await wire.start((stream) => plan?.(wire, ++served, stream));
      const port = await closedPort();
      gate = new Gate(port, fake.port);
      [kernel, gated] = await Promise.all([boot(fake.url), boot(`http://127.0.0.1:${port}`)]);
      ({ url } = await kernel.start());
      clients = clientsFor(url);
      gatedClients = clientsFor((await gated.start()).url);
    });

    afterAll(async () => {
      await Promise.all([kernel?.stop(), gated?.stop()]);
      await gate?.shut();
      await fake?.close();
    });

    describe.each(SURFACES)('%s surface', (surface) => {
      describe.each([false, true])('stream: %s', (stream) => {
        it.each(ROWS.map((row): [string, Row] => [row.kind, row]))('%s', async (_kind, row) => {
          const expected = row.expect(stream, wire);
          const target = row.refused ? gatedClients : clients;
          if (row.refused) await gate.shut();

          plan = row.reply;
          served = 0;
          const before = fake.requests.length;
          let outcome: Outcome;
          try {
            outcome = await call(target, surface, stream, 'hi');
          } finally {
            plan = undefined;
          }

          expect(fake.requests.length - before).toBe(expected.calls);
          check(outcome, expected, surface);
          expect(visible(outcome)).not.toContain(SECRET);

          if (expected.outcome === 'stream') {
            // The same failure read off the wire: the socket ends cleanly, after a well-formed last frame.
            plan = row.reply;
            served = 0;
            const again = fake.requests.length;
            let raw: Awaited<ReturnType<typeof rawStream>>;
            try {
              raw = await rawStream(url, surface, 'hi');
            } finally {
              plan = undefined;
            }
            expect(raw.error).toBeUndefined();
            expect(fake.requests.length - again).toBe(1);
            checkWire(raw.text, expected, surface);
            expect(raw.text).not.toContain(SECRET);
          }

          // The server is not wedged: the next request on the same surface is answered.
          if (row.refused) await gate.open();
          expect(await call(target, surface, stream, 'still there?')).toEqual({ kind: 'ok', text: 'echo: still there?' });
        });
      });
    });
  });
}

function check(outcome: Outcome, e: Expectation, surface: SurfaceName): void {
  if (e.outcome === 'ok') {
    expect(outcome).toEqual({ kind: 'ok', text: 'echo: hi' });
    return;
  }
  const message = expect.stringMatching(e.message);
  const code = `LYNKR_ERR_UPSTREAM_${e.code}`;

  if (e.outcome === 'http') {
    if (outcome.kind !== 'http') throw new Error(`expected an HTTP ${e.status}, got ${JSON.stringify(outcome)}`);
    expect(outcome.status).toBe(e.status);
    if (surface === 'anthropic') {
      expect(outcome.error).toBeInstanceOf(ANTHROPIC_CLASS[e.status]);
      expect(outcome.body).toEqual({ type: 'error', error: { type: ANTHROPIC_TYPE[e.status], message }, request_id: expect.any(String) });
    } else {
      expect(outcome.error).toBeInstanceOf(OPENAI_CLASS[e.status]);
      expect(outcome.body).toEqual({ message, type: e.openai?.type ?? 'server_error', param: null, code: e.openai?.code ?? code });
    }
    if (e.retryAfter !== undefined) expect(outcome.headers.get('retry-after')).toBe(e.retryAfter);
    return;
  }

  if (outcome.kind !== 'stream') throw new Error(`expected a stream that fails after the first byte, got ${JSON.stringify(outcome)}`);
  // Some text reached the client before the failure: the answer had begun, so nothing could be retried.
  expect(outcome.partial).toMatch(/^one /);
  switch (surface) {
    case 'anthropic':
      expect(outcome.error).toBeInstanceOf(Anthropic.APIError);
      expect(outcome.body).toEqual({ type: 'error', error: { type: ANTHROPIC_TYPE[e.status], message }, request_id: expect.any(String) });
      break;
    case 'chat':
      expect(outcome.error).toBeInstanceOf(OpenAI.APIError);
      expect(outcome.body).toEqual({ message, type: 'server_error', param: null, code });
      break;
    case 'responses':
      expect(outcome.lastEvent).toBe('response.failed');
      expect(outcome.body).toEqual({ code: 'server_error', message });
      break;
  }
}

type Json = Record<string, unknown>;

/** The bytes of a stream that failed after its first event: each surface's own well-formed ending. */
function checkWire(text: string, e: Expectation & { outcome: 'stream' }, surface: SurfaceName): void {
  const message = expect.stringMatching(e.message);
  expect(text.endsWith('\n\n')).toBe(true);
  const frames = parseSse(text);
  const last = frames.at(-1);
  const data = JSON.parse(last?.data ?? 'null') as Json;
  switch (surface) {
    case 'anthropic':
      expect(anthropicStreamProblems(text)).toEqual([]);
      expect(last?.event).toBe('error');
      expect(data).toEqual({ type: 'error', error: { type: ANTHROPIC_TYPE[e.status], message }, request_id: expect.any(String) });
      break;
    case 'chat':
      // No [DONE]: it would pass the cut answer off as whole.
      expect(frames.map((f) => f.data)).not.toContain('[DONE]');
      for (const f of frames.slice(0, -1)) expect(JSON.parse(f.data)).toMatchObject({ object: 'chat.completion.chunk' });
      expect(data).toEqual({ error: { message, type: 'server_error', param: null, code: `LYNKR_ERR_UPSTREAM_${e.code}` } });
      break;
    case 'responses': {
      const events = frames.map((f) => JSON.parse(f.data) as Json);
      expect(frames.map((f) => f.event)).toEqual(events.map((ev) => ev.type));
      const seq = events.map((ev) => ev.sequence_number as number);
      expect(seq).toEqual(seq.map((_, i) => (seq[0] ?? 0) + i));
      expect(events[0]?.type).toBe('response.created');
      expect(data).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { code: 'server_error', message } } });
      break;
    }
  }
}
