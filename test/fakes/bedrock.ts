/**
 * A fake Amazon Bedrock runtime: `POST /model/{modelId}/converse` (JSON)
 * and `/converse-stream` (AWS event-stream frames, encoded with the same
 * codec the AWS SDKs use: real preludes and CRCs). Every request must be
 * authorized as Bedrock does: a SigV4 signature, which the fake recomputes
 * from what it received and a known secret, or a Bedrock API key as a
 * bearer token. Tests script it with a queue of replies; with nothing
 * queued it echoes the last user text.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import {
  pause,
  sendJson,
  sendJsonThenDie,
  splitPieces,
  splitText,
  startFake,
  streamFrames,
  type FakeContext,
  type FakeServer,
  type RawReply,
  type RecordedRequest,
  type ReplyTiming,
} from './server.js';

export interface FakeAwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The credentials the fake accepts unless told otherwise. */
export const FAKE_AWS_CREDENTIALS: Readonly<FakeAwsCredentials> = Object.freeze({
  accessKeyId: 'AKIAFAKEBEDROCK00001',
  secretAccessKey: 'fakeSecret/Key+ForBedrock0000000000000000',
});
export const FAKE_BEDROCK_API_KEY = 'ABSKZmFrZS1iZWRyb2NrLWFwaS1rZXk=';
export const FAKE_BEDROCK_REGION = 'us-east-1';

export interface BedrockUsageSpec {
  /** Uncached input, as Bedrock's `inputTokens` counts it. */
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export interface BedrockToolUseSpec {
  id?: string;
  name: string;
  input: Record<string, unknown>;
}

/** A successful answer. Blocks come in the order reasoning, text, tool uses. */
export interface BedrockContentReply extends ReplyTiming {
  /** A string is split into word deltas; an array gives the exact deltas. Left out (with no tool uses), the echo of the last user text. */
  text?: string | string[];
  /** Signed reasoning (streamed as text deltas, then the signature), or redacted reasoning (base64). */
  reasoning?: { text: string | string[]; signature?: string } | { redacted: string };
  toolUses?: BedrockToolUseSpec[];
  /** Defaults to `tool_use` with tool uses, else `end_turn`. */
  stopReason?: string;
  /** Sent as `additionalModelResponseFields.stop_sequence`, as Claude reports it. */
  stopSequence?: string;
  usage?: BedrockUsageSpec;
  /** Stream: no `metadata` event (no usage) after `messageStop`. */
  omitMetadata?: boolean;
  /** Stream: write this many frames, then destroy the socket. JSON: die halfway through the body. */
  dieAfterFrames?: number;
  /** Stream: write each frame in two pieces (alternately cut inside the prelude and inside the payload), `chunkDelayMs` apart (default 3). */
  splitFrames?: boolean;
  /** Stream: after `afterFrames` frames (default 2: messageStart and the first delta), an exception frame, then the end of the body. */
  exception?: { type: string; message: string; afterFrames?: number };
  headers?: Record<string, string>;
}

/** An HTTP error, as Bedrock answers it: `{message}` and `x-amzn-errortype`. */
export interface BedrockErrorReply extends ReplyTiming {
  status: number;
  message: string;
  /** Defaults to the exception Bedrock uses for the status. */
  errorType?: string;
  headers?: Record<string, string>;
}

export type BedrockReply = BedrockContentReply | BedrockErrorReply | RawReply;

export interface FakeBedrockOptions {
  /** The SigV4 credentials requests must be signed with. Default {@link FAKE_AWS_CREDENTIALS}. */
  credentials?: FakeAwsCredentials;
  /** The Bedrock API key bearer requests must carry. Default {@link FAKE_BEDROCK_API_KEY}. */
  apiKey?: string;
  /** The region signatures must be scoped to. Default us-east-1. */
  region?: string;
  /** Decides the reply when the queue is empty (a benchmark, a client with side requests). */
  script?: (call: ConverseCall) => BedrockReply | undefined;
}

export interface FakeBedrock extends FakeServer {
  enqueue(...replies: BedrockReply[]): void;
  /** Replies queued and not yet served. */
  readonly pending: number;
}

/** What a request to the fake asked for: the model from the path, and the parsed body. */
export interface ConverseCall {
  model: string;
  stream: boolean;
  body: ConverseBody;
}

export interface ConverseBody {
  messages?: Array<{ role: string; content: Array<Record<string, unknown>> }>;
  system?: Array<Record<string, unknown>>;
  toolConfig?: { tools?: Array<Record<string, unknown>>; toolChoice?: Record<string, unknown> };
  inferenceConfig?: Record<string, unknown>;
  additionalModelRequestFields?: Record<string, unknown>;
  additionalModelResponseFieldPaths?: string[];
}

const ROUTE = /^\/model\/([^/]+)\/(converse|converse-stream)$/;

/** The model and mode of a recorded request, or undefined when it is not a Converse call. */
export function converseCall(req: Pick<RecordedRequest, 'path' | 'json'>): ConverseCall | undefined {
  const match = ROUTE.exec(req.path.split('?')[0] ?? '');
  if (!match) return undefined;
  return { model: decodeURIComponent(match[1] ?? ''), stream: match[2] === 'converse-stream', body: (req.json ?? {}) as ConverseBody };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

/**
 * Start the fake on 127.0.0.1. Resolves once it listens; `url` is the
 * `baseUrl` to give the provider, and `close()` stops it.
 */
export async function startFakeBedrock(options: FakeBedrockOptions = {}): Promise<FakeBedrock> {
  const queue: BedrockReply[] = [];
  let served = 0;
  const auth = new Authorizer(options);

  const server = await startFake(async (req, res, ctx) => {
    served += 1;
    const requestId = `fake-req-${String(served).padStart(4, '0')}-0000-0000-000000000000`;
    const denied = await auth.check(req);
    if (denied) return sendError(res, { status: 403, message: denied.message, errorType: denied.type }, requestId);
    const call = converseCall(req);
    if (req.method !== 'POST' || !call) {
      return sendError(res, { status: 404, message: `fake: no route ${req.method} ${req.path}`, errorType: 'UnknownOperationException' }, requestId);
    }
    const reply = queue.shift() ?? options.script?.(call) ?? {};
    await answer(reply, call, requestId, req, res, ctx);
  });

  return {
    ...server,
    enqueue: (...replies) => void queue.push(...replies),
    get pending() {
      return queue.length;
    },
  };
}

/** Checks a request's credentials the way Bedrock does, with a known secret. */
class Authorizer {
  readonly #credentials: FakeAwsCredentials;
  readonly #apiKey: string;
  readonly #region: string;

  constructor(options: FakeBedrockOptions) {
    this.#credentials = options.credentials ?? FAKE_AWS_CREDENTIALS;
    this.#apiKey = options.apiKey ?? FAKE_BEDROCK_API_KEY;
    this.#region = options.region ?? FAKE_BEDROCK_REGION;
  }

  /** Why the request is refused (Bedrock's exception and message), or undefined when it is authorized. */
  async check(req: RecordedRequest): Promise<{ type: string; message: string } | undefined> {
    const header = single(req.headers.authorization);
    if (!header) return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
    if (header.startsWith('Bearer ')) {
      return header.slice('Bearer '.length) === this.#apiKey ? undefined : { type: 'UnrecognizedClientException', message: 'Invalid API Key format: Must start with pre-defined prefix' };
    }
    if (!header.startsWith('AWS4-HMAC-SHA256 ')) return { type: 'IncompleteSignatureException', message: `Authorization header requires 'Credential' parameter.` };
    return this.#verifySigV4(req, header);
  }

  async #verifySigV4(req: RecordedRequest, header: string): Promise<{ type: string; message: string } | undefined> {
    const parsed = /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(header);
    if (!parsed) return { type: 'IncompleteSignatureException', message: 'The authorization header is malformed.' };
    const [, keyId, , region, service, signedHeaders] = parsed as unknown as [string, string, string, string, string, string];
    if (keyId !== this.#credentials.accessKeyId) return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    if (service !== 'bedrock' || region !== this.#region) {
      return { type: 'InvalidSignatureException', message: `Credential should be scoped to correct service and region: 'bedrock' in '${this.#region}'.` };
    }
    const token = single(req.headers['x-amz-security-token']);
    if (token !== this.#credentials.sessionToken) return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    const date = single(req.headers['x-amz-date']);
    const signingDate = date ? amzDate(date) : undefined;
    if (!signingDate) return { type: 'IncompleteSignatureException', message: 'Authorization header requires existence of either a X-Amz-Date or a Date header.' };

    const body = Buffer.from(req.body, 'utf8');
    const declared = single(req.headers['x-amz-content-sha256']);
    if (declared !== undefined && declared !== createHash('sha256').update(body).digest('hex')) return mismatch;

    const [path = '/', query = ''] = req.path.split('?', 2);
    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) {
      const value = single(req.headers[name]);
      if (value === undefined) return mismatch;
      headers[name] = value;
    }
    const signer = new SignatureV4({ service: 'bedrock', region, credentials: this.#credentials, sha256: Sha256, applyChecksum: false });
    const signed = await signer.sign(
      { method: req.method, protocol: 'https:', hostname: headers.host ?? '', path, query: Object.fromEntries(new URLSearchParams(query)), headers, body },
      { signingDate },
    );
    return signed.headers.authorization === header ? undefined : mismatch;
  }
}

const mismatch = {
  type: 'InvalidSignatureException',
  message:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
};

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** `20250102T030405Z` as a Date. */
function amzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

function sendError(res: http.ServerResponse, reply: BedrockErrorReply, requestId: string): void {
  const type = reply.errorType ?? ERROR_TYPES[reply.status] ?? 'InternalServerException';
  sendJson(res, reply.status, { message: reply.message }, {
    'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    'x-amzn-requestid': requestId,
    ...reply.headers,
  });
}

async function answer(reply: BedrockReply, call: ConverseCall, requestId: string, req: RecordedRequest, res: http.ServerResponse, ctx: FakeContext): Promise<void> {
  await pause(reply.delayMs, ctx.signal);
  if ('raw' in reply) return reply.raw(req, res, ctx);
  if ('status' in reply) return sendError(res, reply, requestId);

  const toolUses = (reply.toolUses ?? []).map((t, i) => ({ ...t, id: t.id ?? `tooluse_fake${i}` }));
  const textSpec = reply.text ?? (toolUses.length > 0 || reply.reasoning ? undefined : `echo: ${lastUserText(call.body)}`);
  const stopReason = reply.stopReason ?? (toolUses.length > 0 ? 'tool_use' : 'end_turn');
  const usage = usageBody(reply.usage ?? { input: 10, output: 5 });
  const stopFields = reply.stopSequence !== undefined ? { additionalModelResponseFields: { stop_sequence: reply.stopSequence } } : {};
  const headers = { 'x-amzn-requestid': requestId, ...reply.headers };

  if (!call.stream) {
    const content: unknown[] = [];
    if (reply.reasoning) {
      content.push({
        reasoningContent:
          'redacted' in reply.reasoning
            ? { redactedContent: reply.reasoning.redacted }
            : { reasoningText: { text: joined(reply.reasoning.text), ...(reply.reasoning.signature && { signature: reply.reasoning.signature }) } },
      });
    }
    if (textSpec !== undefined) content.push({ text: joined(textSpec) });
    for (const t of toolUses) content.push({ toolUse: { toolUseId: t.id, name: t.name, input: t.input } });
    const body = { output: { message: { role: 'assistant', content } }, stopReason, usage, metrics: { latencyMs: 12 }, ...stopFields };
    if (reply.dieAfterFrames !== undefined) return sendJsonThenDie(res, body, headers);
    return sendJson(res, 200, body, headers);
  }

  const frames: Uint8Array[] = [eventFrame('messageStart', { role: 'assistant' })];
  let index = 0;
  if (reply.reasoning) {
    if ('redacted' in reply.reasoning) {
      frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { redactedContent: reply.reasoning.redacted } } }));
    } else {
      for (const text of splitText(reply.reasoning.text)) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { text } } }));
      if (reply.reasoning.signature) {
        frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { reasoningContent: { signature: reply.reasoning.signature } } }));
      }
    }
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: index++ }));
  }
  if (textSpec !== undefined) {
    for (const text of splitText(textSpec)) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { text } }));
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: index++ }));
  }
  for (const t of toolUses) {
    frames.push(eventFrame('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId: t.id, name: t.name } } }));
    for (const input of splitPieces(JSON.stringify(t.input))) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input } } }));
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: index++ }));
  }
  frames.push(eventFrame('messageStop', { stopReason, ...stopFields }));
  if (!reply.omitMetadata) frames.push(eventFrame('metadata', { usage, metrics: { latencyMs: 12 } }));

  if (reply.exception) {
    const { type, message, afterFrames = 2 } = reply.exception;
    frames.splice(afterFrames, frames.length, exceptionFrame(type, message));
  }
  const pieces = reply.splitFrames ? frames.flatMap((frame, i) => splitFrame(frame, i)) : frames;
  await streamFrames(res, pieces, {
    signal: ctx.signal,
    contentType: 'application/vnd.amazon.eventstream',
    headers,
    chunkDelayMs: reply.chunkDelayMs ?? (reply.splitFrames ? 3 : undefined),
    dieAfter: reply.dieAfterFrames,
  });
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);
/** Bedrock pads each event with a `p` field of varying length, so that sizes do not reveal tokens. */
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
let padding = 0;

/** One `:message-type: event` frame, as Bedrock writes it. */
export function eventFrame(type: string, payload: Record<string, unknown>): Uint8Array {
  padding = (padding + 7) % PADDING.length;
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify({ ...payload, p: PADDING.slice(0, padding + 1) })),
  });
}

/** One `:message-type: exception` frame (`throttlingException`, `validationException`, …). */
export function exceptionFrame(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

/** A frame in two pieces: even frames cut inside the 12-byte prelude, odd ones inside the payload. */
function splitFrame(frame: Uint8Array, i: number): Uint8Array[] {
  const at = i % 2 === 0 ? 7 : Math.max(13, frame.length - 10);
  return [frame.subarray(0, at), frame.subarray(at)];
}

function usageBody(u: BedrockUsageSpec) {
  return {
    inputTokens: u.input,
    outputTokens: u.output,
    totalTokens: u.input + u.output + (u.cacheRead ?? 0) + (u.cacheWrite ?? 0),
    ...(u.cacheRead !== undefined && { cacheReadInputTokens: u.cacheRead }),
    ...(u.cacheWrite !== undefined && { cacheWriteInputTokens: u.cacheWrite }),
  };
}

function joined(text: string | string[]): string {
  return typeof text === 'string' ? text : text.join('');
}

function lastUserText(body: ConverseBody): string {
  const last = body.messages?.findLast((m) => m.role === 'user');
  return (last?.content ?? []).map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
}
