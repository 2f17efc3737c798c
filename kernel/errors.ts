/**
 * The one catalogue of Lynkr's errors. Every error the kernel or a plugin
 * raises has a code `LYNKR_ERR_<AREA>_<WHAT>`, an HTTP status, a retryable
 * flag and a fix; `docs/errors.md` is generated from this table
 * (`npm run docs:errors`).
 */

interface ErrorSpec {
  /** HTTP status when the error reaches a client. */
  status: number;
  /** Whether the same request may succeed if sent again. */
  retryable: boolean;
  /** What happened, for the docs table. */
  meaning: string;
  /** What the user should do, for the docs table. */
  fix: string;
}

const spec = <T extends Record<string, ErrorSpec>>(table: T): T => table;

/** @public */
export const ERRORS = spec({
  LYNKR_ERR_CONFIG_NOT_FOUND: {
    status: 500,
    retryable: false,
    meaning: 'The config file given with --config does not exist.',
    fix: 'Check the path, or omit --config to use lynkr.config.ts in the current folder or the environment.',
  },
  LYNKR_ERR_CONFIG_LOAD: {
    status: 500,
    retryable: false,
    meaning: 'The config file could not be loaded (syntax error, failing import, throwing code).',
    fix: 'Run `lynkr config check` and fix the error it names.',
  },
  LYNKR_ERR_CONFIG_INVALID: {
    status: 500,
    retryable: false,
    meaning: 'The config does not match the schema (a wrong type, an unknown storage scheme, a bad team entry).',
    fix: 'Fix the key named in the message; docs/config.md lists every key.',
  },
  LYNKR_ERR_PLUGIN_NOT_FOUND: {
    status: 500,
    retryable: false,
    meaning: 'A plugin named in the config is neither built in nor installed as `lynkr-plugin-<name>` next to the config.',
    fix: 'Install the package (`npm install lynkr-plugin-<name>`) in the config file\'s folder, or fix the name.',
  },
  LYNKR_ERR_PLUGIN_INVALID: {
    status: 500,
    retryable: false,
    meaning: 'A module loaded as a plugin does not export a plugin made by definePlugin, or its name does not match.',
    fix: 'Export `definePlugin({...})` as the default export; the plugin name must equal the package suffix.',
  },
  LYNKR_ERR_PLUGIN_KERNEL_RANGE: {
    status: 500,
    retryable: false,
    meaning: 'A plugin asks for a kernel version range this Lynkr does not satisfy.',
    fix: 'Upgrade the plugin or Lynkr so that the plugin\'s `kernel` range matches `lynkr --version`.',
  },
  LYNKR_ERR_PLUGIN_OPTIONS: {
    status: 500,
    retryable: false,
    meaning: 'A plugin\'s options do not match its schema.',
    fix: 'Fix the option named in the message (the plugin\'s README lists its options).',
  },
  LYNKR_ERR_PLUGIN_DUPLICATE: {
    status: 500,
    retryable: false,
    meaning: 'The same plugin appears twice in the config.',
    fix: 'Keep one entry; to change a built-in\'s options, give `[name, options]` once.',
  },
  LYNKR_ERR_PLUGIN_DEPENDENCY_MISSING: {
    status: 500,
    retryable: false,
    meaning: 'A plugin depends on a plugin that is not in the config (or is disabled).',
    fix: 'Add the missing plugin to `plugins`, or remove it from `disable`.',
  },
  LYNKR_ERR_PLUGIN_DEPENDENCY_CYCLE: {
    status: 500,
    retryable: false,
    meaning: 'Plugins depend on each other in a cycle.',
    fix: 'Break the cycle named in the message; share through a service instead.',
  },
  LYNKR_ERR_PLUGIN_SETUP: {
    status: 500,
    retryable: false,
    meaning: 'A plugin\'s setup, ready or close threw.',
    fix: 'Read the cause in the message; it names the plugin.',
  },
  LYNKR_ERR_SERVICE_NOT_FOUND: {
    status: 500,
    retryable: false,
    meaning: 'A plugin resolved a service that no plugin provides.',
    fix: 'Add the plugin that provides it, and list it in the consumer\'s `dependsOn`.',
  },
  LYNKR_ERR_SERVICE_DUPLICATE: {
    status: 500,
    retryable: false,
    meaning: 'Two plugins provide the same service.',
    fix: 'Disable one of them.',
  },
  LYNKR_ERR_PROVIDER_DUPLICATE: {
    status: 500,
    retryable: false,
    meaning: 'Two plugins register a provider with the same id.',
    fix: 'Disable one of them, or give one another id in its options.',
  },
  LYNKR_ERR_ROUTE_DUPLICATE: {
    status: 500,
    retryable: false,
    meaning: 'Two plugins register the same HTTP method and path.',
    fix: 'Disable one of them.',
  },
  LYNKR_ERR_SERVER_PORT_IN_USE: {
    status: 500,
    retryable: false,
    meaning: 'The port Lynkr should listen on is taken by another process.',
    fix: 'Stop the other process, or start Lynkr with --port N (or PORT=N).',
  },
  LYNKR_ERR_SERVER_LISTEN: {
    status: 500,
    retryable: false,
    meaning: 'The server could not listen (bad host, permission denied).',
    fix: 'Check server.host and server.port.',
  },
  LYNKR_ERR_SERVER_UNAUTHENTICATED: {
    status: 500,
    retryable: false,
    meaning: 'Lynkr would listen on an address other than loopback with no Lynkr key configured: anyone who can reach it could spend your providers\' credits.',
    fix: 'Configure `keys` (or `LYNKR_API_KEYS`), or bind `127.0.0.1`; to expose it without keys anyway (behind your own auth), set `server.allowUnauthenticated: true`, `--allow-unauthenticated` or `LYNKR_ALLOW_UNAUTHENTICATED=true`.',
  },
  LYNKR_ERR_SERVER_OVERLOADED: {
    status: 503,
    retryable: true,
    meaning: 'Lynkr is shedding load: its event loop lags more than the `limits` plugin allows (`loadShedding.eventLoopDelayMs`). Anthropic clients get 529, OpenAI clients 503, both with `retry-after`.',
    fix: 'Retry after the delay the response gives; add instances or raise the threshold if it happens under normal load.',
  },
  LYNKR_ERR_STORAGE: {
    status: 500,
    retryable: true,
    meaning: 'The state store (SQLite or Redis) failed.',
    fix: 'Check `storage` in the config and that the file is writable or the Redis server reachable.',
  },
  LYNKR_ERR_AUTH_MISSING_KEY: {
    status: 401,
    retryable: false,
    meaning: 'Lynkr keys are configured and the request carried none.',
    fix: 'Send the key as `x-lynkr-key`, `x-api-key` or `Authorization: Bearer`.',
  },
  LYNKR_ERR_AUTH_INVALID_KEY: {
    status: 401,
    retryable: false,
    meaning: 'The request carried a key that is not one of the configured Lynkr keys.',
    fix: 'Use a key listed in `keys` or in a team\'s `keys`.',
  },
  LYNKR_ERR_AUTH_NO_UPSTREAM_CREDENTIAL: {
    status: 401,
    retryable: false,
    meaning: 'The provider needs a credential: the client sent no Claude subscription token and the provider has no API key.',
    fix: 'Log in to Claude Code (Pro/Max), or set the provider\'s `apiKey` (`ANTHROPIC_API_KEY`).',
  },
  LYNKR_ERR_REQUEST_INVALID: {
    status: 400,
    retryable: false,
    meaning: 'The request body does not match the API it was sent to.',
    fix: 'Fix the field named in the message.',
  },
  LYNKR_ERR_REQUEST_TOO_LARGE: {
    status: 413,
    retryable: false,
    meaning: 'The request body is larger than `server.bodyLimit`.',
    fix: 'Raise `server.bodyLimit`, or compress the context.',
  },
  LYNKR_ERR_REQUEST_NOT_FOUND: {
    status: 404,
    retryable: false,
    meaning: 'No route answers this method and path.',
    fix: 'Check the base URL the client uses (for example `http://127.0.0.1:8081`, with `/v1` only where the client expects it).',
  },
  LYNKR_ERR_LIMIT_REQUESTS: {
    status: 429,
    retryable: true,
    meaning: 'The caller (a Lynkr key, or a team) sent more requests in the last minute than the `limits` plugin allows (`requestsPerMinute`).',
    fix: 'Wait for the `retry-after` the response gives, or raise `requestsPerMinute` for this key or team.',
  },
  LYNKR_ERR_LIMIT_TOKENS: {
    status: 429,
    retryable: true,
    meaning: 'The caller (a Lynkr key, or a team) used its token budget for the last minute (`limits` plugin, `tokensPerMinute`).',
    fix: 'Wait for the `retry-after` the response gives, or raise `tokensPerMinute` for this key or team.',
  },
  LYNKR_ERR_LIMIT_CONCURRENCY: {
    status: 429,
    retryable: true,
    meaning: 'The caller already has as many answers in flight on this instance as the `limits` plugin allows (`concurrentStreams`).',
    fix: 'Wait for a running answer to finish, or raise `concurrentStreams` for this key or team.',
  },
  LYNKR_ERR_ROUTE_NO_PROVIDER: {
    status: 500,
    retryable: false,
    meaning: 'No route handler chose a provider for the request.',
    fix: 'Enable a router plugin (router-static or router-tiers), or set MODEL_PROVIDER.',
  },
  LYNKR_ERR_ROUTE_UNKNOWN_PROVIDER: {
    status: 500,
    retryable: false,
    meaning: 'The route decision names a provider no plugin registered.',
    fix: 'Enable the provider plugin, or fix the `provider:model` string.',
  },
  LYNKR_ERR_HOOK_FAILED: {
    status: 500,
    retryable: false,
    meaning: 'A plugin\'s hook threw while handling a request; the message names the plugin and the stage.',
    fix: 'Report it to the plugin\'s authors, or disable the plugin.',
  },
  LYNKR_ERR_UPSTREAM_HTTP: {
    status: 502,
    retryable: false,
    meaning: 'The upstream provider answered with an error status; its status and message are passed on.',
    fix: 'Read the upstream\'s message: a bad key, an unknown model or a rate limit.',
  },
  LYNKR_ERR_UPSTREAM_UNREACHABLE: {
    status: 502,
    retryable: true,
    meaning: 'The upstream could not be reached (connection refused, DNS, TLS).',
    fix: 'Check the provider\'s endpoint and that it is running.',
  },
  LYNKR_ERR_UPSTREAM_TIMEOUT: {
    status: 504,
    retryable: true,
    meaning: 'The upstream did not connect, answer or send a byte in time.',
    fix: 'Raise the provider\'s timeouts, or check that the model is loaded.',
  },
  LYNKR_ERR_UPSTREAM_DISCONNECTED: {
    status: 502,
    retryable: true,
    meaning: 'The upstream closed the connection after it began to answer, before the answer was complete.',
    fix: 'Check the upstream\'s logs (a crash, an out-of-memory kill, a proxy in between timing out); sending the request again may succeed.',
  },
  LYNKR_ERR_UPSTREAM_PROTOCOL: {
    status: 502,
    retryable: false,
    meaning: 'The upstream sent something its wire format does not allow.',
    fix: 'Check that the endpoint speaks the wire format its provider expects.',
  },
  LYNKR_ERR_UPSTREAM_CIRCUIT_OPEN: {
    status: 503,
    retryable: true,
    meaning: 'The provider:model failed repeatedly; its circuit breaker refuses calls until the cooldown ends, and no fallback could answer.',
    fix: 'Check the provider (its logs, `GET /metrics`), configure fallback targets, or wait for the `retry-after`.',
  },
  LYNKR_ERR_CLIENT_ABORTED: {
    status: 499,
    retryable: false,
    meaning: 'The client went away before the answer was complete; the upstream call was aborted.',
    fix: 'Nothing to fix: recorded for statistics.',
  },
  LYNKR_ERR_SHUTTING_DOWN: {
    status: 503,
    retryable: true,
    meaning: 'Lynkr is shutting down and no longer accepts requests.',
    fix: 'Retry against another instance or after the restart.',
  },
  LYNKR_ERR_INTERNAL: {
    status: 500,
    retryable: false,
    meaning: 'An unexpected error inside Lynkr.',
    fix: 'Report it with the request id from the `x-request-id` header.',
  },
});

/** @public */
export type ErrorCode = keyof typeof ERRORS;

/** @public */
export interface LynkrErrorOptions {
  cause?: unknown;
  /** Override the catalogue's status (an upstream's own status, for instance). */
  status?: number;
  /** The plugin the error comes from. */
  plugin?: string;
  /** The hook stage the error comes from. */
  stage?: string;
  /** Headers worth passing to the client (`retry-after`). */
  headers?: Record<string, string>;
  /** Extra machine-readable detail (an upstream's error body, a config path). */
  detail?: Record<string, unknown>;
}

/**
 * The error type every layer throws. API plugins render it in their client's
 * error shape.
 * @public
 */
export class LynkrError extends Error {
  override readonly name = 'LynkrError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly plugin: string | undefined;
  readonly stage: string | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly detail: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: LynkrErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const entry = ERRORS[code];
    this.code = code;
    this.status = options.status ?? entry.status;
    this.retryable = entry.retryable;
    this.plugin = options.plugin;
    this.stage = options.stage;
    this.headers = options.headers;
    this.detail = options.detail;
  }
}

/** @public */
export function isLynkrError(value: unknown): value is LynkrError {
  return value instanceof LynkrError || (value instanceof Error && typeof (value as LynkrError).code === 'string' && (value as LynkrError).code.startsWith('LYNKR_ERR_'));
}

/**
 * Turn anything thrown into a LynkrError, keeping typed errors as they are.
 * @public
 */
export function toLynkrError(value: unknown, fallback: ErrorCode = 'LYNKR_ERR_INTERNAL'): LynkrError {
  if (isLynkrError(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new LynkrError(fallback, message, { cause: value });
}
