import { Type, type Static } from '../util/typebox.js';
import type { PluginFactory, PluginInstance } from '../plugin/define.js';

/**
 * One entry of `plugins`: a name (built-in, or `lynkr-plugin-<name>` next to
 * the config), a name with options, or an imported plugin (called with
 * options or not).
 * @public
 */
export type PluginEntry = string | readonly [string, Record<string, unknown>?] | PluginInstance | PluginFactory;

/** @public */
export interface TeamConfig {
  /** Lynkr keys that select this team. */
  keys?: string[];
  /** Plugins turned off for this team's requests. */
  disable?: string[];
  /** Option overrides per plugin name, merged over the plugin's options. */
  options?: Record<string, Record<string, unknown>>;
}

/** @public */
export interface ServerConfig {
  /** Bind address; `127.0.0.1` unless you mean to expose Lynkr. */
  host?: string;
  port?: number;
  /** Largest request body in bytes. */
  bodyLimit?: number;
  /** How long shutdown waits for in-flight requests and streams, in ms. */
  shutdownGraceMs?: number;
  /** Listen beyond loopback with no Lynkr key configured (Lynkr refuses to otherwise). */
  allowUnauthenticated?: boolean;
}

/** @public */
export interface LogConfig {
  level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Write logs to this file instead of stdout. */
  file?: string;
  /** Human-readable logs; defaults to on when stdout is a terminal. */
  pretty?: boolean;
}

/**
 * `lynkr.config.ts` as a user writes it.
 * @public
 */
export interface LynkrConfig {
  /** A config (or several) this one layers on, resolved from this file's folder. */
  extends?: string | string[];
  server?: ServerConfig;
  /** `sqlite://<file>` (default `sqlite://.lynkr/state.sqlite`), `redis://host:port`, or `memory://`. */
  storage?: string;
  log?: LogConfig;
  plugins?: PluginEntry[];
  /** Plugin names turned off (built-ins included). */
  disable?: string[];
  /** Lynkr keys of the default team. When any key is configured, requests need one. */
  keys?: string[];
  teams?: Record<string, TeamConfig>;
}

/**
 * Everything in the config but `plugins`, validated with defaults. The
 * plugins are validated by the loader, each against its own schema.
 */
export const ConfigSchema = Type.Object(
  {
    extends: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
    server: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1', minLength: 1 }),
        port: Type.Integer({ default: 8081, minimum: 0, maximum: 65535 }),
        bodyLimit: Type.Integer({ default: 50 * 1024 * 1024, minimum: 1024 }),
        shutdownGraceMs: Type.Integer({ default: 10_000, minimum: 0 }),
        allowUnauthenticated: Type.Boolean({ default: false }),
      },
      { default: {}, additionalProperties: false },
    ),
    storage: Type.String({ default: 'sqlite://.lynkr/state.sqlite', pattern: '^(sqlite|redis|rediss|memory)://' }),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info' },
        ),
        file: Type.Optional(Type.String({ minLength: 1 })),
        pretty: Type.Optional(Type.Boolean()),
      },
      { default: {}, additionalProperties: false },
    ),
    plugins: Type.Array(Type.Unknown(), { default: [] }),
    disable: Type.Array(Type.String(), { default: [] }),
    keys: Type.Array(Type.String({ minLength: 8 }), { default: [] }),
    teams: Type.Record(
      Type.String({ pattern: '^[a-zA-Z0-9_-]+$' }),
      Type.Object(
        {
          keys: Type.Array(Type.String({ minLength: 8 }), { default: [] }),
          disable: Type.Array(Type.String(), { default: [] }),
          options: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()), { default: {} }),
        },
        { additionalProperties: false },
      ),
      { default: {} },
    ),
  },
  { additionalProperties: false },
);

type ValidatedConfig = Static<typeof ConfigSchema>;

/** A plugin entry with where it came from (the folder its names resolve from). @public */
export interface SourcedPluginEntry {
  entry: PluginEntry;
  /** The folder of the config file that named it. */
  from: string;
}

/**
 * The effective config the kernel runs with.
 * @public
 */
export interface ResolvedConfig extends Readonly<Omit<ValidatedConfig, 'plugins' | 'extends'>> {
  readonly plugins: readonly SourcedPluginEntry[];
  /** The config file loaded, or undefined when the config came from the environment. */
  readonly configFile: string | undefined;
  /** The folder relative paths (storage, logs) resolve from. */
  readonly cwd: string;
  /** Where the config came from: `file`, `env`, or `inline` (tests, embedding). */
  readonly source: 'file' | 'env' | 'inline';
}
