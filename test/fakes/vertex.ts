/**
 * A fake Google Vertex AI, with the Gemini API beside it, on one port:
 *
 * - `POST /token`: Google's OAuth token endpoint for the JWT-bearer grant a
 *   service account uses. It checks the assertion's RS256 signature against
 *   the fake service account's public key, its issuer, audience, scope and
 *   expiry, and issues `ya29.fake-N` tokens. `serviceAccount` is a key file
 *   whose `token_uri` points here.
 * - Vertex, `Authorization: Bearer <an issued, unexpired token>`:
 *   `/v1/projects/P/locations/L/publishers/anthropic/models/claude-…:rawPredict`
 *   and `:streamRawPredict` (Anthropic Messages, with Vertex's rules on the
 *   body: `anthropic_version: "vertex-2023-10-16"`, no `model`), and
 *   `/publishers/google/models/gemini-…:generateContent` and
 *   `:streamGenerateContent?alt=sse`.
 * - The Gemini API, key in `x-goog-api-key` or `?key=`:
 *   `/v1beta/models/gemini-…:generateContent` and `:streamGenerateContent?alt=sse`.
 *
 * Claude answers come from a fake Anthropic behind this one (`claude`), so
 * the whole Anthropic reply vocabulary is available; the Vertex layer checks
 * and records what Lynkr sent, then forwards the body with the model from
 * the URL. Gemini answers are built here, in Gemini's stream shape: whole
 * `GenerateContentResponse` chunks as `data:` lines with CRLF line ends, text
 * split into word chunks, function calls in one chunk, the finish reason and
 * full usage on the last. Errors are Google's JSON (`{error: {code, message,
 * status}}`). Gemini requests are checked the way Google checks them, so a
 * schema keyword Gemini does not know, an OBJECT without properties, an
 * empty text part, function responses that do not pair with the calls before
 * them, or (Gemini 3 models) a function call of the current turn sent back
 * without the thought signature the fake gave it get a 400.
 */
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import http from 'node:http';
import { startFakeAnthropic, type AnthropicReply, type FakeAnthropic } from './anthropic.js';
import {
  pause,
  sendJson,
  sendJsonThenDie,
  splitText,
  startFake,
  streamFrames,
  type FakeContext,
  type FakeServer,
  type RawReply,
  type RecordedRequest,
  type ReplyTiming,
} from './server.js';

/** A Google error: `{error: {code, message, status}}` with HTTP status `status`. */
export interface GoogleErrorReply extends ReplyTiming {
  googleError: { status: number; message: string; code?: string; details?: unknown[] };
  headers?: Record<string, string>;
}

export interface GeminiUsageSpec {
  /** The whole prompt, cached part included, as Gemini counts it. */
  prompt: number;
  candidates: number;
  cached?: number;
  thoughts?: number;
}

export interface GeminiContentReply extends ReplyTiming {
  /** A string is split into word chunks; an array gives the exact chunks. Left out (with no calls), the echo of the last user text. */
  text?: string | string[];
  /** Thought-summary chunks (`thought: true`) before the text. */
  thought?: string | string[];
  functionCalls?: Array<{ name: string; args: Record<string, unknown> }>;
  /**
   * On the first function call, else on the last text part, as Gemini places
   * it. Gemini 3 models sign their calls `fake-signature-N` when this is not given.
   */
  thoughtSignature?: string;
  /** Default `STOP`. */
  finishReason?: string;
  /** A prompt refused outright: `promptFeedback.blockReason`, no candidates. */
  blockReason?: string;
  usage?: GeminiUsageSpec;
  /** Stream: write this many chunks, then destroy the socket. JSON: die halfway through the body. */
  dieAfterChunks?: number;
  /** Stream: after `afterChunks` chunks (default 1), a `data:` line with this Google error, then the end. */
  midStreamError?: { code: number; message: string; status: string; afterChunks?: number };
  headers?: Record<string, string>;
}

export type GeminiReply = GeminiContentReply | GoogleErrorReply | RawReply;
export type VertexClaudeReply = AnthropicReply | GoogleErrorReply;

export interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  token_uri: string;
}

export interface FakeVertexOptions {
  /** The one project the fake serves; default `lynkr-test`. */
  project?: string;
  /** The Gemini API key it accepts; default `AIza-fake-key`. */
  apiKey?: string;
  /** The `expires_in` of issued tokens; default 3600. */
  tokenTtlSeconds?: number;
}

export interface FakeVertex extends FakeServer {
  project: string;
  apiKey: string;
  /** A key file for the fake's service account, `token_uri` on this fake. */
  serviceAccount: ServiceAccountKey;
  /** The fake Anthropic that writes Claude answers (its `requests` hold the forwarded bodies). */
  claude: FakeAnthropic;
  enqueueClaude(...replies: VertexClaudeReply[]): void;
  enqueueGemini(...replies: GeminiReply[]): void;
  /** The next token request fails with this OAuth error. */
  failToken(status: number, error: string, description: string): void;
  /** Tokens issued so far, in order. */
  readonly tokens: readonly string[];
  /** Requests to the model endpoints only (the token endpoint's aside). */
  readonly modelRequests: RecordedRequest[];
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

const VERTEX_PATH = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/([^/]+)\/models\/([^/:]+):([A-Za-z]+)$/;
const GEMINI_API_PATH = /^\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/;

const STATUS_NAME: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** One RSA key pair per test process: generating one costs tens of milliseconds. */
let keyPair: { privatePem: string; publicKey: KeyObject } | undefined;
function serviceKeyPair(): { privatePem: string; publicKey: KeyObject } {
  if (!keyPair) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keyPair = { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey: createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })) };
  }
  return keyPair;
}

export async function startFakeVertex(options: FakeVertexOptions = {}): Promise<FakeVertex> {
  const project = options.project ?? 'lynkr-test';
  const apiKey = options.apiKey ?? 'AIza-fake-key';
  const ttl = options.tokenTtlSeconds ?? 3600;
  const keys = serviceKeyPair();
  const claude = await startFakeAnthropic();
  const claudeQueue: VertexClaudeReply[] = [];
  const geminiQueue: GeminiReply[] = [];
  const tokenFailures: Array<{ status: number; error: string; description: string }> = [];
  const issued = new Map<string, number>();
  const tokens: string[] = [];
  const modelRequests: RecordedRequest[] = [];
  /** Thought signatures given out with function calls: Gemini 3 wants them back. */
  const signatures = new Set<string>();
  const clientEmail = `lynkr@${project}.iam.gserviceaccount.com`;
  let served = 0;

  const server = await startFake(async (req, res, ctx) => {
    const url = new URL(req.path, 'http://fake');
    if (req.method === 'POST' && url.pathname === '/token') return token(req, res);
    modelRequests.push(req);
    const vertex = VERTEX_PATH.exec(url.pathname);
    const geminiApi = GEMINI_API_PATH.exec(url.pathname);
    if (req.method !== 'POST' || (!vertex && !geminiApi)) return googleError(res, 404, `fake: no route ${req.method} ${url.pathname}`);

    if (vertex) {
      const [, p, , publisher, model, method] = vertex.map((s) => decodeURIComponent(s)) as string[];
      const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
      const expiry = bearer ? issued.get(bearer) : undefined;
      if (expiry === undefined || expiry < Date.now()) {
        return googleError(res, 401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
      }
      if (p !== project) return googleError(res, 403, `Permission denied on resource project ${p}.`);
      if (publisher === 'anthropic' && model!.startsWith('claude') && (method === 'rawPredict' || method === 'streamRawPredict')) {
        return claudeAnswer(req, res, ctx, model!, method === 'streamRawPredict');
      }
      if (publisher === 'google' && model!.startsWith('gemini') && (method === 'generateContent' || method === 'streamGenerateContent')) {
        return geminiAnswer(req, res, ctx, url, method === 'streamGenerateContent');
      }
      return googleError(res, 404, `Publisher Model \`projects/${p}/locations/global/publishers/${publisher}/models/${model}\` was not found or your project does not have access to it.`);
    }

    const [, model, method] = geminiApi!.map((s) => decodeURIComponent(s)) as string[];
    const key = req.headers['x-goog-api-key'] ?? url.searchParams.get('key');
    if (key === undefined || key === null) return googleError(res, 403, 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.');
    if (key !== apiKey) return googleError(res, 400, 'API key not valid. Please pass a valid API key.');
    if (!model!.startsWith('gemini') || (method !== 'generateContent' && method !== 'streamGenerateContent')) {
      return googleError(res, 404, `models/${model} is not found for API version v1beta, or is not supported for ${method}.`);
    }
    return geminiAnswer(req, res, ctx, url, method === 'streamGenerateContent');
  });

  /** The JWT-bearer grant: a service account's signed assertion for an access token. */
  function token(req: RecordedRequest, res: http.ServerResponse): void {
    const failure = tokenFailures.shift();
    if (failure) return sendJson(res, failure.status, { error: failure.error, error_description: failure.description });
    const form = new URLSearchParams(req.body);
    if (form.get('grant_type') !== JWT_BEARER) return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type.' });
    const claims = verifyAssertion(form.get('assertion') ?? '', keys.publicKey);
    if (!claims) return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    const now = Math.floor(Date.now() / 1000);
    const scopes = String(claims.scope ?? '').split(' ');
    if (claims.iss !== clientEmail || claims.aud !== GOOGLE_TOKEN_AUDIENCE || !scopes.includes(CLOUD_PLATFORM) || typeof claims.exp !== 'number' || claims.exp < now) {
      return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT: issuer, audience, scope or expiry is wrong.' });
    }
    const access = `ya29.fake-${tokens.length + 1}`;
    tokens.push(access);
    issued.set(access, Date.now() + ttl * 1000);
    sendJson(res, 200, { access_token: access, expires_in: ttl, token_type: 'Bearer' });
  }

  async function claudeAnswer(req: RecordedRequest, res: http.ServerResponse, ctx: FakeContext, model: string, stream: boolean): Promise<void> {
    const body = req.json as Record<string, unknown> | undefined;
    const invalid = (message: string) => sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message } });
    if (typeof body !== 'object' || body === null) return invalid('fake: the body is not a JSON object');
    if (body.anthropic_version !== VERTEX_ANTHROPIC_VERSION) return invalid(`anthropic_version: must be "${VERTEX_ANTHROPIC_VERSION}"`);
    if ('model' in body) return invalid('model: Extra inputs are not permitted');
    if ((body.stream === true) !== stream) return invalid(`fake: stream is ${String(body.stream)} on ${stream ? 'streamRawPredict' : 'rawPredict'}`);
    const reply = claudeQueue.shift();
    if (reply && 'googleError' in reply) return googleReply(res, reply, ctx);
    if (reply) claude.enqueue(reply);
    const { anthropic_version: _version, ...rest } = body;
    await forward(res, ctx, JSON.stringify({ ...rest, model }));
  }

  /** Hands the request to the fake Anthropic and copies its answer back as it comes, a cut included. */
  function forward(res: http.ServerResponse, ctx: FakeContext, body: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const inner = http.request(`${claude.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (answer) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (typeof value === 'string' && !['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date'].includes(name)) headers[name] = value;
        }
        res.writeHead(answer.statusCode ?? 502, headers);
        res.flushHeaders();
        answer.on('data', (chunk: Buffer) => res.write(chunk));
        answer.on('end', () => res.end());
        answer.on('close', () => {
          if (!answer.complete) res.destroy();
          resolve();
        });
      });
      inner.on('error', () => {
        res.destroy();
        resolve();
      });
      ctx.signal.addEventListener('abort', () => inner.destroy(), { once: true });
      inner.end(body);
    });
  }

  async function geminiAnswer(req: RecordedRequest, res: http.ServerResponse, ctx: FakeContext, url: URL, stream: boolean): Promise<void> {
    if (stream && url.searchParams.get('alt') !== 'sse') return googleError(res, 400, 'fake: only alt=sse streams are served');
    const model = decodeURIComponent(/models\/([^/:]+):/.exec(url.pathname)?.[1] ?? 'gemini');
    const problem = checkGeminiRequest(req.json) ?? (signsCalls(model) ? checkSignatures(req.json as GeminiBody, signatures) : undefined);
    if (problem) return googleError(res, 400, problem);
    served += 1;
    const reply = geminiQueue.shift() ?? {};
    await pause(reply.delayMs, ctx.signal);
    if ('raw' in reply) return reply.raw(req, res, ctx);
    if ('googleError' in reply) return googleReply(res, reply, ctx);
    const signature = reply.thoughtSignature ?? (signsCalls(model) && reply.functionCalls?.length ? `fake-signature-${served}` : undefined);
    if (signature) signatures.add(signature);
    const chunks = geminiChunks({ ...reply, ...(signature && { thoughtSignature: signature }) }, req.json as GeminiBody, model, served);
    const headers = { 'x-request-id': `req_fake${served}`, ...reply.headers };
    if (!stream) {
      const whole = mergeChunks(chunks);
      return reply.dieAfterChunks !== undefined ? sendJsonThenDie(res, whole, headers) : sendJson(res, 200, whole, headers);
    }
    let frames = chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`);
    if (reply.midStreamError) {
      const { afterChunks = 1, ...error } = reply.midStreamError;
      frames = [...frames.slice(0, afterChunks), `data: ${JSON.stringify({ error })}\r\n\r\n`];
    }
    await streamFrames(res, frames, { signal: ctx.signal, chunkDelayMs: reply.chunkDelayMs, dieAfter: reply.dieAfterChunks, headers });
  }

  const serviceAccount: ServiceAccountKey = {
    type: 'service_account',
    project_id: project,
    private_key_id: 'fake-key-1',
    private_key: keys.privatePem,
    client_email: clientEmail,
    client_id: '100000000000000000001',
    token_uri: `${server.url}/token`,
  };
  const fake: FakeVertex = {
    url: server.url,
    port: server.port,
    requests: server.requests,
    project,
    apiKey,
    claude,
    serviceAccount,
    enqueueClaude: (...replies) => void claudeQueue.push(...replies),
    enqueueGemini: (...replies) => void geminiQueue.push(...replies),
    failToken: (status, error, description) => void tokenFailures.push({ status, error, description }),
    tokens,
    modelRequests,
    close: async () => {
      await Promise.all([server.close(), claude.close()]);
    },
  };
  return fake;
}

function googleError(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}, details?: unknown[]): void {
  sendJson(res, status, { error: { code: status, message, status: STATUS_NAME[status] ?? 'UNKNOWN', ...(details && { details }) } }, headers);
}

async function googleReply(res: http.ServerResponse, reply: GoogleErrorReply, ctx: FakeContext): Promise<void> {
  await pause(reply.delayMs, ctx.signal);
  const { status, message, details } = reply.googleError;
  googleError(res, status, message, reply.headers, details);
}

/** The claims of a JWT whose RS256 signature `key` verifies, else undefined. */
function verifyAssertion(jwt: string, key: KeyObject): Record<string, unknown> | undefined {
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) return undefined;
  try {
    const head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string };
    if (head.alg !== 'RS256') return undefined;
    if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))) return undefined;
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

interface GeminiPartJson {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: unknown;
  fileData?: unknown;
  functionCall?: { name: string; args?: unknown };
  functionResponse?: { name: string; response?: unknown };
}

interface GeminiBody {
  contents: Array<{ role?: string; parts: GeminiPartJson[] }>;
  systemInstruction?: unknown;
  tools?: Array<{ functionDeclarations?: Array<{ name: string; parameters?: unknown }> }>;
  toolConfig?: unknown;
  generationConfig?: { stopSequences?: unknown[] };
}

const REQUEST_FIELDS = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent', 'labels']);
const PART_DATA = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse'] as const;
/** What Gemini's Schema message has; any other key is "Unknown name" to it. */
const SCHEMA_FIELDS = new Set([
  'type', 'format', 'title', 'description', 'nullable', 'enum', 'items', 'minItems', 'maxItems', 'properties', 'required',
  'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'minimum', 'maximum', 'propertyOrdering',
]);

/** The first thing Google would refuse in a generateContent body, as its message says it; undefined when the body is fine. */
function checkGeminiRequest(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return 'Invalid JSON payload received.';
  const body = json as GeminiBody;
  for (const key of Object.keys(body)) if (!REQUEST_FIELDS.has(key)) return `Invalid JSON payload received. Unknown name "${key}": Cannot find field.`;
  if (!Array.isArray(body.contents) || body.contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
  let pendingCalls = 0;
  for (const [i, content] of body.contents.entries()) {
    if (content.role !== 'user' && content.role !== 'model') return `* GenerateContentRequest.contents[${i}].role: must be user or model`;
    if (!Array.isArray(content.parts) || content.parts.length === 0) return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`;
    for (const [j, part] of content.parts.entries()) {
      const data = PART_DATA.filter((k) => part[k] !== undefined);
      if (data.length !== 1) return `* GenerateContentRequest.contents[${i}].parts[${j}].data: required oneof field 'data' must have one initialized field`;
      if (part.text === '') return `* GenerateContentRequest.contents[${i}].parts[${j}].text: empty text`;
    }
    const responses = content.parts.filter((p) => p.functionResponse).length;
    if (responses > 0 && responses !== pendingCalls) {
      return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
    }
    pendingCalls = content.role === 'model' ? content.parts.filter((p) => p.functionCall).length : 0;
  }
  if ((body.generationConfig?.stopSequences?.length ?? 0) > 5) return '* GenerateContentRequest.generation_config.stop_sequences: at most 5 stop sequences are allowed';
  for (const [t, tool] of (body.tools ?? []).entries()) {
    for (const [f, fn] of (tool.functionDeclarations ?? []).entries()) {
      const where = `tools[${t}].function_declarations[${f}].parameters`;
      if (fn.parameters !== undefined) {
        const problem = checkSchema(fn.parameters, where);
        if (problem) return problem;
      }
    }
  }
  return undefined;
}

function checkSchema(schema: unknown, where: string): string | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return `Invalid value at '${where}'`;
  const s = schema as Record<string, unknown>;
  for (const key of Object.keys(s)) if (!SCHEMA_FIELDS.has(key)) return `Invalid JSON payload received. Unknown name "${key}" at '${where}': Cannot find field.`;
  if (s.type !== undefined && typeof s.type !== 'string') return `Invalid value at '${where}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type)`;
  if (s.type === 'object' && s.properties !== undefined && Object.keys(s.properties as object).length === 0) {
    return `* GenerateContentRequest.${where}.properties: should be non-empty for OBJECT type`;
  }
  if (s.type === 'array' && s.items === undefined) return `* GenerateContentRequest.${where}.items: missing field.`;
  for (const [name, sub] of Object.entries((s.properties as Record<string, unknown> | undefined) ?? {})) {
    const problem = checkSchema(sub, `${where}.properties[${name}].value`);
    if (problem) return problem;
  }
  if (s.items !== undefined) return checkSchema(s.items, `${where}.items`);
  for (const [i, sub] of ((s.anyOf as unknown[] | undefined) ?? []).entries()) {
    const problem = checkSchema(sub, `${where}.any_of[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

/** Gemini 3 and later sign their function calls and refuse calls sent back unsigned. */
const signsCalls = (model: string) => Number(/^gemini-(\d+)/.exec(model)?.[1] ?? 0) >= 3;
/** Google's documented value for a call whose signature is lost. */
const SKIP_SIGNATURE = 'skip_thought_signature_validator';

/**
 * Gemini 3's rule: in the current turn (the contents after the last user
 * text), the first function call of each model step carries a signature
 * Gemini gave out, or the documented placeholder.
 */
function checkSignatures(body: GeminiBody, issued: ReadonlySet<string>): string | undefined {
  const contents = body.contents;
  const start = contents.findLastIndex((c) => c.role === 'user' && c.parts.some((p) => p.text !== undefined)) + 1;
  for (const [i, content] of contents.entries()) {
    if (i < start || content.role !== 'model') continue;
    const first = content.parts.findIndex((p) => p.functionCall);
    if (first === -1) continue;
    const signature = content.parts[first]!.thoughtSignature;
    if (signature === undefined || (signature !== SKIP_SIGNATURE && !issued.has(signature))) {
      return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${content.parts[first]!.functionCall!.name}\` , position ${first + 1}.`;
    }
  }
  return undefined;
}

interface GeminiChunk {
  candidates?: Array<{ content: { role: 'model'; parts: GeminiPartJson[] }; finishReason?: string; index: 0 }>;
  promptFeedback?: { blockReason: string };
  usageMetadata: Record<string, number>;
  modelVersion: string;
  responseId: string;
}

/** A reply as the chunks of a Gemini stream. */
function geminiChunks(reply: GeminiContentReply, body: GeminiBody, model: string, n: number): GeminiChunk[] {
  const u = reply.usage ?? { prompt: 10, candidates: 5 };
  const promptUsage = { promptTokenCount: u.prompt, ...(u.cached !== undefined && { cachedContentTokenCount: u.cached }) };
  const fullUsage = {
    ...promptUsage,
    candidatesTokenCount: u.candidates,
    ...(u.thoughts !== undefined && { thoughtsTokenCount: u.thoughts }),
    totalTokenCount: u.prompt + u.candidates + (u.thoughts ?? 0),
  };
  const meta = { modelVersion: model, responseId: `fake-response-${n}` };
  if (reply.blockReason) return [{ promptFeedback: { blockReason: reply.blockReason }, usageMetadata: fullUsage, ...meta }];

  const parts: GeminiPartJson[][] = [];
  for (const thought of reply.thought === undefined ? [] : splitText(reply.thought)) parts.push([{ text: thought, thought: true }]);
  const calls = reply.functionCalls ?? [];
  const texts = reply.text !== undefined ? splitText(reply.text) : calls.length === 0 ? [`echo: ${lastUserText(body)}`] : [];
  for (const text of texts) parts.push([{ text }]);
  if (calls.length > 0) parts.push(calls.map((c) => ({ functionCall: { name: c.name, args: c.args } })));
  if (reply.thoughtSignature) {
    const last = parts.at(-1);
    const target = calls.length > 0 ? last?.[0] : last?.at(-1);
    if (target) target.thoughtSignature = reply.thoughtSignature;
  }
  if (parts.length === 0) parts.push([]);
  return parts.map((p, i) => {
    const final = i === parts.length - 1;
    return {
      candidates: [{ content: { role: 'model', parts: p }, ...(final && { finishReason: reply.finishReason ?? 'STOP' }), index: 0 }],
      usageMetadata: final ? fullUsage : promptUsage,
      ...meta,
    };
  });
}

/** The non-streaming answer: every chunk's parts in one candidate, adjacent text pieces joined as Gemini does. */
function mergeChunks(chunks: GeminiChunk[]): GeminiChunk {
  const last = chunks.at(-1) as GeminiChunk;
  if (!last.candidates) return last;
  const parts: GeminiPartJson[] = [];
  for (const part of chunks.flatMap((c) => c.candidates?.[0]?.content.parts ?? [])) {
    const prev = parts.at(-1);
    if (prev && part.text !== undefined && prev.text !== undefined && Boolean(prev.thought) === Boolean(part.thought) && !prev.thoughtSignature) {
      prev.text += part.text;
      if (part.thoughtSignature) prev.thoughtSignature = part.thoughtSignature;
    } else parts.push({ ...part });
  }
  return { ...last, candidates: [{ ...last.candidates[0]!, content: { role: 'model', parts } }] };
}

function lastUserText(body: GeminiBody): string {
  const last = body.contents.filter((c) => c.role === 'user').at(-1);
  return (last?.parts ?? []).map((p) => p.text ?? '').join('');
}
