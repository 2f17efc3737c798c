/**
 * How an upstream's failures become LynkrErrors: error statuses with the
 * upstream's own message, and transport failures (refused, timed out, cut).
 */
import { LynkrError } from '../errors.js';
import { statusForErrorType } from '../http/errors.js';
import { isSecretKey } from '../log/index.js';
import { passThroughHeaders } from './headers.js';

/** Which of an upstream call's timeouts fired. @public */
export type UpstreamTimeoutKind = 'connect' | 'firstByte' | 'idle';

const TIMEOUT_TEXT: Record<UpstreamTimeoutKind, string> = {
  connect: 'could not connect within',
  firstByte: 'sent no response within',
  idle: 'sent nothing more for',
};

/** @internal */
export function timeoutError(label: string, kind: UpstreamTimeoutKind, ms: number): LynkrError {
  return new LynkrError('LYNKR_ERR_UPSTREAM_TIMEOUT', `upstream "${label}" ${TIMEOUT_TEXT[kind]} ${ms} ms (timeouts.${kind}Ms)`, {
    detail: { timeout: kind, ms },
  });
}

/** The error an aborted exchange carries (the kernel's own), or a fresh CLIENT_ABORTED one. @internal */
export function abortError(reason: unknown): LynkrError {
  if (reason instanceof LynkrError) return reason;
  return new LynkrError('LYNKR_ERR_CLIENT_ABORTED', 'the client went away; the upstream call was aborted', { cause: reason });
}


/**
 * A transport failure. Before the response began (`request`) it is
 * UNREACHABLE: refused, DNS, TLS, reset. During the body it is
 * DISCONNECTED: the answer was cut.
 * @internal
 */
export function transportError(label: string, origin: string, error: unknown, phase: 'request' | 'body', connectMs: number): LynkrError {
  const code = errorCode(error);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return timeoutError(label, 'connect', connectMs);
  const text = errorText(error);
  // A header value undici refuses (a key with a line break in the config): not the upstream's fault.
  if (code === 'UND_ERR_INVALID_ARG') return new LynkrError('LYNKR_ERR_INTERNAL', `cannot send to upstream "${label}": ${text}`, { cause: error });
  if (code?.startsWith('HPE_') || code === 'UND_ERR_HEADERS_OVERFLOW') {
    return new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${label}" (${origin}) sent a malformed HTTP response: ${text}`, { cause: error });
  }
  if (phase === 'body') {
    return new LynkrError('LYNKR_ERR_UPSTREAM_DISCONNECTED', `upstream "${label}" (${origin}) closed the connection before the answer was complete: ${text}`, {
      cause: error,
    });
  }
  return new LynkrError('LYNKR_ERR_UPSTREAM_UNREACHABLE', `upstream "${label}" (${origin}) is unreachable: ${text}`, { cause: error });
}

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown }; errors?: Array<{ code?: unknown }> } | undefined;
  const code = e?.code ?? e?.cause?.code ?? e?.errors?.[0]?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Node's happy-eyeballs AggregateError has an empty message: name the attempts instead. */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message) return error.message;
  const inner = (error as { errors?: unknown[] }).errors;
  if (Array.isArray(inner) && inner.length > 0) return inner.map(errorText).join('; ');
  return errorCode(error) ?? error.name;
}

/** The most of an error body that is read and kept, in bytes. @public */
export const MAX_ERROR_BODY = 64 * 1024;

/**
 * An upstream's error status as a LynkrError.
 *
 * The client sees the upstream's status when it is one the client can act
 * on: any 4xx (429 included) and 529 (Anthropic's "overloaded", which
 * Claude Code retries). Other statuses (500, 503, a stray 3xx) become 502:
 * the fault is behind the gateway, and the upstream status stays in the
 * message and in `detail.upstreamStatus`.
 * @public
 */
export function upstreamHttpError(label: string, status: number, headers: Record<string, string>, body: string): LynkrError {
  const parsed = parseJson(body);
  const message = bodyMessage(parsed) ?? (body.trim().slice(0, 500) || 'no message');
  const passes = (status >= 400 && status < 500) || status === 529;
  return new LynkrError('LYNKR_ERR_UPSTREAM_HTTP', `upstream "${label}" answered ${status}: ${message}`, {
    status: passes ? status : 502,
    headers: passThroughHeaders(headers),
    detail: { upstream: label, upstreamStatus: status, upstreamType: bodyType(parsed), body: parsed ?? body },
  });
}

/**
 * An error body with the request's credentials taken out. Some servers and
 * proxies quote the key they refused ("Incorrect API key provided: sk-…"),
 * and the message goes on to Lynkr's clients, who must never read the
 * provider's key.
 * @internal
 */
export function withoutCredentials(body: string, sent: Readonly<Record<string, string>> | undefined): string {
  if (!sent || body === '') return body;
  return redacted(body, credentialsOf(sent));
}

/** `text` with each of `credentials` replaced by `[redacted]`. @internal */
export function redacted(text: string, credentials: readonly string[]): string {
  let out = text;
  for (const secret of credentials) out = out.replaceAll(secret, '[redacted]');
  return out;
}

/**
 * The credentials among a request's headers: the value of each secret
 * header, or its last word (`Bearer sk-…`), when long enough to be one (a
 * short one would match ordinary text).
 * @internal
 */
export function credentialsOf(sent: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const name in sent) {
    if (!isSecretKey(name)) continue;
    const value = sent[name]!;
    const secret = value.slice(value.lastIndexOf(' ') + 1);
    if (secret.length >= 8) out.push(secret);
  }
  return out;
}

/**
 * An error object an upstream sent inside a stream or a 200 body (an
 * Anthropic `error` event; OpenRouter and vLLM error chunks), as a
 * LynkrError. The status it stands for comes from a numeric `error.code`
 * in the HTTP range, else from an Anthropic `error.type`, else 502.
 * `sent`, the request's headers, takes the call's credentials out of the
 * message, as for an error status.
 * @public
 */
export function upstreamBodyError(label: string, body: unknown, sent?: Readonly<Record<string, string>>): LynkrError {
  const error = (body as { error?: { code?: unknown; type?: unknown } } | undefined)?.error;
  const code = error?.code;
  const status =
    typeof code === 'number' && code >= 400 && code < 600 ? code : typeof error?.type === 'string' ? statusForErrorType(error.type, 502) : 502;
  return upstreamHttpError(label, status, {}, withoutCredentials(JSON.stringify(body), sent));
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The message of an error body, in the shapes upstreams use: OpenAI and
 * Anthropic `{error: {message}}`, Ollama and llama.cpp `{error: "..."}`,
 * Databricks `{message}`, FastAPI servers `{detail}`.
 */
function bodyMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { error?: unknown; message?: unknown; detail?: unknown };
  if (typeof b.error === 'string') return b.error;
  const nested = (b.error as { message?: unknown } | undefined)?.message;
  if (typeof nested === 'string') return nested;
  if (typeof b.message === 'string') return b.message;
  if (typeof b.detail === 'string') return b.detail;
  return undefined;
}

function bodyType(body: unknown): string | undefined {
  const type = (body as { error?: { type?: unknown } } | undefined)?.error?.type;
  return typeof type === 'string' ? type : undefined;
}

/**
 * Parse one JSON document an upstream sent (an SSE frame's data, a body);
 * LYNKR_ERR_UPSTREAM_PROTOCOL, showing the start of the text, when it is not
 * JSON.
 * @public
 */
export function parseUpstreamJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${label}" sent data that is not JSON: ${shown}`, { cause });
  }
}
