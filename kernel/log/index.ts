import path from 'node:path';
import pino, { type Logger } from 'pino';

/** Keys whose values are secrets wherever they appear. */
const SECRET_KEY = /(^|[-_.])(api[-_]?key|apikey|key|keys|token|access[-_]?token|refresh[-_]?token|secret|password|passwd|authorization|cookie|credentials?|private[-_]?key|session[-_]?token|secret[-_]?access[-_]?key)$/i;

/** Paths pino censors on every line: request headers and the usual option names, one level under any object. */
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-lynkr-key"]',
  'req.headers["api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-lynkr-key"]',
  'headers["api-key"]',
  'headers.cookie',
  'apiKey',
  'token',
  'password',
  'secret',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.accessToken',
  '*.secret',
  '*.secretAccessKey',
  '*.password',
  '*.authorization',
  '*.keys',
];

/** Whether a key names a secret. @public */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Mask a secret, keeping a hint of its shape: `sk-a…(51 chars)`. */
export function maskValue(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) return '***';
  return value.length <= 8 ? '***' : `${value.slice(0, 3)}…(${value.length} chars)`;
}

/**
 * A deep copy with every secret-named value masked, for printing a config.
 * Functions and plugin instances are shown by name.
 * @public
 */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (key && isSecretKey(key) && value !== undefined && value !== null && typeof value !== 'object') return maskValue(value);
  if (key && isSecretKey(key) && Array.isArray(value)) return value.map(maskValue);
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v));
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (value && typeof value === 'object') {
    if (value instanceof URL) return maskUrl(value.href);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  }
  if (typeof value === 'string' && /^[a-z]+:\/\/[^/]*@/.test(value)) return maskUrl(value);
  return value;
}

function maskUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

export interface LoggerOptions {
  level: string;
  file?: string;
  pretty?: boolean;
  cwd: string;
  /** Where to write instead of stdout (tests). */
  stream?: NodeJS.WritableStream;
}

/**
 * The root logger: pino JSON, pretty on a terminal, to a file when asked,
 * with secrets censored.
 */
export function createLogger(options: LoggerOptions): Logger {
  const base = {
    level: options.level,
    base: { name: 'lynkr' },
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  };
  if (options.stream) return pino(base, options.stream as pino.DestinationStream);
  if (options.file) {
    return pino(base, pino.destination({ dest: path.resolve(options.cwd, options.file), mkdir: true, sync: false }));
  }
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino(base);
}
