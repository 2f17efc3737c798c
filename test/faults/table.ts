/**
 * The fault table: each failure kind, what the upstream does, and what a
 * client must see, on every surface, streamed or not. Resilience runs with
 * its defaults (3 attempts, maxRetryAfterMs 20 s) but no backoff, so
 * `calls` is what the fake upstream received for the one client request.
 */
import { headersThenDie, resetMidHeaders, silent, type Reply, type Wire } from './wires.js';
import { SECRET, TIMEOUTS } from './harness.js';

type Code = 'UNREACHABLE' | 'HTTP' | 'TIMEOUT' | 'DISCONNECTED';

export type Expectation =
  /** The client gets the answer: the failure was retried before the first byte. */
  | { outcome: 'ok'; calls: number }
  /**
   * An HTTP error in the client's format: Anthropic
   * `{type:'error', error:{type, message}}` with the type of the status,
   * OpenAI `{error:{message, type, param, code}}` with `server_error` for a
   * 5xx and Lynkr's code (`LYNKR_ERR_UPSTREAM_<code>`) unless `openai` says
   * what the upstream's own body passes through.
   */
  | { outcome: 'http'; status: 401 | 429 | 502 | 504 | 529; code: Code; message: RegExp; calls: number; retryAfter?: string; openai?: { type: string; code: string } }
  /**
   * A 200 whose stream ends with a well-formed error after the text that
   * came before it: Anthropic `event: error` of the status's type, a Chat
   * error chunk, a Responses `response.failed`. Never retried.
   */
  | { outcome: 'stream'; status: 502 | 504; code: Code; message: RegExp; calls: 1 };

export interface Row {
  kind: string;
  /** The upstream's port refuses connections (the suite's second kernel points there). */
  refused?: boolean;
  /** The fake's reply to the n-th request of the cell (from 1); undefined is a normal answer. */
  reply?: (wire: Wire, n: number, stream: boolean) => Reply;
  expect: (stream: boolean, wire: Wire) => Expectation;
}

const ok = (calls: number): Expectation => ({ outcome: 'ok', calls });
/** A message that names the upstream first, as every upstream failure does: nothing (a plugin's name) is put before it. */
const upstream = (rest: string): RegExp => new RegExp(`^upstream "[a-z-]+" ${rest}`);
const ORIGIN = String.raw`\(http://127\.0\.0\.1:\d+\)`;
const once = (fault: (wire: Wire, stream: boolean) => Reply) => (wire: Wire, n: number, stream: boolean) => (n === 1 ? fault(wire, stream) : undefined);

export const ROWS: Row[] = [
  {
    kind: 'refused connection',
    refused: true,
    // Retried (3 attempts), then 502. The upstream's port is all the message names.
    expect: () => ({ outcome: 'http', status: 502, code: 'UNREACHABLE', message: upstream(`${ORIGIN} is unreachable: .*ECONNREFUSED`), calls: 0 }),
  },
  {
    kind: 'reset mid-headers, once',
    reply: once(() => resetMidHeaders),
    expect: () => ok(2),
  },
  {
    kind: 'reset mid-headers, every attempt',
    reply: () => resetMidHeaders,
    expect: () => ({ outcome: 'http', status: 502, code: 'UNREACHABLE', message: upstream(`${ORIGIN} is unreachable: other side closed$`), calls: 3 }),
  },
  {
    kind: '429, retry-after beyond maxRetryAfterMs',
    reply: (wire) => wire.rateLimited('60'),
    // Not waited for: the client gets the 429 and the upstream's retry-after, and waits itself.
    expect: (_stream, wire) => ({ outcome: 'http', status: 429, code: 'HTTP', message: upstream('answered 429: slow down$'), calls: 1, retryAfter: '60', openai: wire.rateLimitSeenByOpenAI }),
  },
  {
    kind: '429, short retry-after',
    reply: once((wire) => wire.rateLimited('0')),
    expect: () => ok(2),
  },
  {
    kind: '500, once',
    reply: once((wire) => wire.error(500, 'boom')),
    expect: () => ok(2),
  },
  {
    kind: '500, every attempt',
    reply: (wire) => wire.error(500, 'boom'),
    expect: () => ({ outcome: 'http', status: 502, code: 'HTTP', message: upstream('answered 500: boom$'), calls: 3 }),
  },
  {
    kind: '529 overloaded, every attempt',
    reply: (wire) => wire.error(529, 'Overloaded'),
    // Kept as 529 on every surface: Anthropic's overloaded_error; for OpenAI clients a server_error whose status both SDKs retry.
    expect: () => ({ outcome: 'http', status: 529, code: 'HTTP', message: upstream('answered 529: Overloaded$'), calls: 3 }),
  },
  {
    kind: '401 whose message echoes the key',
    // Some servers and proxies quote the credential they refused. Not retried (another call would fail alike), and the key is not passed on.
    reply: (wire) => wire.error(401, `Incorrect API key provided: ${SECRET}.`),
    expect: (_stream, wire) => ({
      outcome: 'http',
      status: 401,
      code: 'HTTP',
      message: upstream(String.raw`answered 401: Incorrect API key provided: \[redacted\]\.$`),
      calls: 1,
      openai: { type: wire.errorType(401), code: 'LYNKR_ERR_UPSTREAM_HTTP' },
    }),
  },
  {
    kind: 'first byte never comes',
    reply: () => silent,
    // A first-byte timeout is not retried on the same target: it would wait as long again.
    expect: () => ({ outcome: 'http', status: 504, code: 'TIMEOUT', message: upstream(`sent no response within ${TIMEOUTS.firstByteMs} ms \\(timeouts\\.firstByteMs\\)$`), calls: 1 }),
  },
  {
    kind: 'headers, then dies before the first event',
    reply: (_wire, _n, stream) => headersThenDie(stream),
    // Before the first event nothing has reached the client: a real status, and no retry (a fallback, had one been configured).
    expect: () => ({ outcome: 'http', status: 502, code: 'DISCONNECTED', message: upstream(`${ORIGIN} closed the connection before the answer was complete: other side closed$`), calls: 1 }),
  },
  {
    kind: 'stalls after some events',
    reply: (wire, _n, stream) => wire.stall(stream),
    expect: (stream) => {
      const message = upstream(`sent nothing more for ${TIMEOUTS.idleMs} ms \\(timeouts\\.idleMs\\)$`);
      return stream ? { outcome: 'stream', status: 504, code: 'TIMEOUT', message, calls: 1 } : { outcome: 'http', status: 504, code: 'TIMEOUT', message, calls: 1 };
    },
  },
  {
    kind: 'dies halfway',
    reply: (wire, _n, stream) => wire.die(stream),
    expect: (stream) => {
      const message = upstream(`${ORIGIN} closed the connection before the answer was complete: other side closed$`);
      return stream ? { outcome: 'stream', status: 502, code: 'DISCONNECTED', message, calls: 1 } : { outcome: 'http', status: 502, code: 'DISCONNECTED', message, calls: 1 };
    },
  },
];
