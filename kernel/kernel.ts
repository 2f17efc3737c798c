import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyReply, type FastifyRequest, type InjectOptions, type LightMyRequestResponse } from 'fastify';
import type Keyv from 'keyv';
import type { Logger } from 'pino';
import { LynkrError, toLynkrError } from './errors.js';
import type { ResolvedConfig } from './config/schema.js';
import { createLogger } from './log/index.js';
import { checkEntries, checkOptions, orderByDependencies, type CheckedPlugin } from './loader/check.js';
import { resolveEntries } from './loader/resolve.js';
import { pluginEntryName } from './loader/names.js';
import type { ErrorRenderer, PipelineApi, PluginContext, RouteSpec } from './plugin/context.js';
import type { PluginLifecycle } from './plugin/define.js';
import { Services } from './plugin/services.js';
import { HookBus } from './pipeline/hook-bus.js';
import { ObserverTracker, PipelineRunner } from './pipeline/runner.js';
import { STAGES, type ClientBody, type Exchange, type StageName } from './pipeline/types.js';
import { createAbortableExchange, type ExchangeAbort } from './pipeline/exchange.js';
import { Providers } from './providers/registry.js';
import { StoreFactory } from './store/index.js';
import { defaultErrorBody, normalizeError } from './http/errors.js';
import { parseJsonBody, readBody, utf8Text } from './http/json-body.js';
import { Wraps } from './wrap/registry.js';
import { randomToken } from './ir/ids.js';
import type { WrapRegistry } from './wrap/types.js';
import { exposure, inboundKey, KeyMap } from './http/auth.js';

/** Fastify's schema compilers, which no Lynkr route uses (see the server options). */
function noRouteSchemas(): never {
  throw new Error('Lynkr routes take no fastify schema: check the request in the handler (TypeBox)');
}

/** One plugin as booted, for `lynkr plugins` and `/health/ready`. @public */
export interface BootRecord {
  name: string;
  version: string;
  /** `builtin`, `inline`, or `<package>@<version>`. */
  source: string;
  description: string | undefined;
  dependsOn: readonly string[];
  /** Milliseconds its setup took. */
  setupMs: number;
  /** Teams that run it with their own options. */
  teamVariants: string[];
}

/** @public */
export interface KernelOptions {
  /** Use this logger instead of building one from `config.log`. */
  logger?: Logger;
}

/** @public */
export interface Kernel {
  readonly config: ResolvedConfig;
  readonly log: Logger;
  readonly plugins: readonly BootRecord[];
  /** Listen, then run every plugin's `ready` in order. */
  start(): Promise<{ url: string; port: number; host: string }>;
  /** Stop accepting, let in-flight requests finish (up to `server.shutdownGraceMs`), then close plugins in reverse. */
  stop(): Promise<void>;
  /** Send a request without a socket (tests). */
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** The resolved handler order per stage, as plugin names (`pre`/`post` marked). */
  stages(team?: string): Record<StageName, string[]>;
  /** The pipeline, for embedding Lynkr (the same API plugins get). */
  readonly pipeline: PipelineApi;
  /** Whether every plugin's `ready` has resolved. */
  readonly isReady: boolean;
  /** The wrap targets the plugins registered, read only (`lynkr wrap <name>`). */
  readonly wraps: Pick<WrapRegistry, 'get' | 'list'>;
}

interface RouteConfig {
  renderError?: ErrorRenderer;
}

declare module 'fastify' {
  interface FastifyRequest {
    lynkrTeam?: string;
    lynkrKeyId?: string;
  }
}

/**
 * Build a kernel from a resolved config: resolve, check and order the
 * plugins, run their setup, and prepare the HTTP shell. Nothing listens
 * until `start()`.
 * @public
 */
export async function createKernel(config: ResolvedConfig, options: KernelOptions = {}): Promise<Kernel> {
  const log = options.logger ?? createLogger({ ...config.log, cwd: config.cwd });
  const services = new Services();
  const providers = new Providers();
  const wraps = new Wraps();
  const bus = new HookBus();
  const observers = new ObserverTracker();
  const runner = new PipelineRunner(bus, providers, observers, log);
  const storage = new StoreFactory(config.storage, config.cwd);
  const keys = new KeyMap(config);
  const pipeline: PipelineApi = {
    handle: (request, ex) => runner.handle(request, ex),
    decide: (request, ex) => runner.decide(request, ex),
    execTool: (call, ex) => runner.execTool(call, ex),
  };

  const httpLog = log.child({ component: 'http' });
  const app = Fastify({
    loggerInstance: httpLog,
    // No pino child per request (about 5 µs, on every request): the exchange makes its own, with the
    // request id, when something logs (exchangeFor); the error handler names the request itself.
    childLoggerFactory: (logger) => logger,
    // Per-request info lines would cost on the hot path; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.server.bodyLimit,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    requestIdHeader: false,
    // Routes come only from RouteSpec, which takes no fastify `schema` (handlers check bodies with
    // TypeBox), so fastify's Ajv and fast-json-stringify compilers are never needed. Builders of our
    // own keep those ~250 modules (about 7 MB resident) from loading at all.
    schemaController: { compilersFactory: { buildValidator: noRouteSchemas, buildSerializer: noRouteSchemas } },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : `req_${randomToken(24)}`;
    },
  });

  const inFlight = new Set<ExchangeAbort>();
  let shuttingDown = false;
  let ready = false;

  // ---- plugins: resolve, disable, check, order -------------------------------------------------
  const disabled = new Set(config.disable);
  const named = config.plugins.map((p, i) => ({ p, name: pluginEntryName(p.entry, `plugins[${i}]`) }));
  for (const name of disabled) {
    if (!named.some((n) => n.name === name)) log.warn({ plugin: name }, `disable names "${name}", which is not in the config`);
  }
  const resolved = await resolveEntries(named.filter((n) => !disabled.has(n.name)).map((n) => n.p));
  const ordered = orderByDependencies(checkEntries(resolved), disabled);
  bus.setRanks(ordered.map((p) => p.name));
  for (const [team, t] of Object.entries(config.teams)) {
    for (const name of [...(t.disable ?? []), ...Object.keys(t.options ?? {})]) {
      if (!ordered.some((p) => p.name === name)) {
        throw new LynkrError('LYNKR_ERR_CONFIG_INVALID', `teams.${team}: plugin "${name}" is not enabled in the config`);
      }
    }
  }

  // ---- setup ------------------------------------------------------------------------------------
  const lifecycles: Array<{ name: string; life: PluginLifecycle }> = [];
  const records: BootRecord[] = [];
  const stores = new Map<string, Keyv>();

  const contextFor = (plugin: CheckedPlugin, team?: string): PluginContext => {
    const pluginLog = log.child({ plugin: plugin.name, ...(team ? { team } : {}) });
    return Object.freeze({
      name: plugin.name,
      log: pluginLog,
      config,
      hooks: { on: (stage, handler, opts) => bus.on(plugin.name, stage, handler, opts, team) } satisfies PluginContext['hooks'],
      services: services.registryFor(plugin.name, team !== undefined),
      providers: providers.registryFor(plugin.name, team),
      wrap: team ? { register: () => undefined, get: (n: string) => wraps.get(n), list: () => wraps.list() } : wraps.registryFor(plugin.name),
      http: {
        route: (spec: RouteSpec) => {
          if (team) return; // routes are global; the handler sees the team on the exchange
          addRoute(plugin.name, spec);
        },
      },
      pipeline,
      get store(): Keyv {
        let store = stores.get(plugin.name);
        if (!store) {
          store = storage.open(plugin.name);
          stores.set(plugin.name, store);
        }
        return store;
      },
    });
  };

  const setupOne = async (plugin: CheckedPlugin, opts: Record<string, unknown>, team?: string): Promise<void> => {
    let life;
    try {
      life = await plugin.definition.setup(contextFor(plugin, team), opts as never);
    } catch (error) {
      const err = toLynkrError(error, 'LYNKR_ERR_PLUGIN_SETUP');
      throw new LynkrError(err.code === 'LYNKR_ERR_INTERNAL' ? 'LYNKR_ERR_PLUGIN_SETUP' : err.code, `plugin "${plugin.name}"${team ? ` (team ${team})` : ''} failed in setup: ${err.message}`, {
        cause: error,
        plugin: plugin.name,
      });
    }
    if (life && (typeof life.ready === 'function' || typeof life.close === 'function')) lifecycles.push({ name: plugin.name, life });
  };

  const routes = new Set<string>();
  const addRoute = (plugin: string, spec: RouteSpec): void => {
    const methods = Array.isArray(spec.method) ? spec.method : [spec.method];
    for (const m of methods) {
      const key = `${m} ${spec.url}`;
      if (routes.has(key) || (spec.url === '/health' || spec.url === '/health/ready')) {
        throw new LynkrError('LYNKR_ERR_ROUTE_DUPLICATE', `plugin "${plugin}" registers ${key}, which is already registered`, { plugin });
      }
      routes.add(key);
    }
    const surface = spec.surface ?? plugin;
    const routeConfig: RouteConfig = { renderError: spec.renderError };
    const auth = spec.auth !== false;
    const bodyLimit = spec.bodyLimit ?? config.server.bodyLimit;
    app.route({
      method: methods,
      url: spec.url,
      bodyLimit: spec.bodyLimit,
      config: routeConfig,
      // After the kernel's own onRequest hook. The route's settings come from here rather than from
      // req.routeOptions, which builds a dozen-field object on every read.
      onRequest: (req, _reply, done) => {
        (req as unknown as { [BODY_LIMIT]: number })[BODY_LIMIT] = bodyLimit;
        if (!auth || !keys.enabled) return done();
        const found = inboundKey(req.headers, keys);
        if (found.status === 'missing') return done(new LynkrError('LYNKR_ERR_AUTH_MISSING_KEY', 'this Lynkr requires a key: send it as x-lynkr-key, x-api-key or Authorization: Bearer'));
        if (found.status === 'invalid') return done(new LynkrError('LYNKR_ERR_AUTH_INVALID_KEY', 'the key sent is not a Lynkr key of this server'));
        req.lynkrTeam = found.team;
        req.lynkrKeyId = found.keyId;
        done();
      },
      handler: (req, reply) => spec.handler(req, reply, exchangeFor(req, reply, surface)),
    });
  };

  const exchangeFor = (req: FastifyRequest, reply: FastifyReply, surface: string): Exchange => {
    const body = (req as unknown as { [CLIENT_BODY]?: ClientBody })[CLIENT_BODY];
    const { exchange, abort } = createAbortableExchange({
      id: req.id,
      surface,
      headers: req.headers,
      team: req.lynkrTeam,
      keyId: req.lynkrKeyId,
      log: () => httpLog.child({ reqId: req.id }),
      startedAt: (req as unknown as { [START]: number })[START],
      body,
    });
    inFlight.add(abort);
    // 'close' comes once per response: `on` spares the wrapper `once` would make.
    reply.raw.on('close', () => {
      inFlight.delete(abort);
      if (!reply.raw.writableFinished) abort.abort(new LynkrError('LYNKR_ERR_CLIENT_ABORTED', 'the client closed the connection'));
      // An answer that finished during shutdown: end its keep-alive connection, which would otherwise hold stop() until the grace period ends.
      else if (shuttingDown) req.raw.socket?.end();
    });
    return exchange;
  };

  const started = performance.now();
  try {
    for (const plugin of ordered) {
      const t0 = performance.now();
      await setupOne(plugin, plugin.options);
      const teamVariants: string[] = [];
      for (const [team, t] of Object.entries(config.teams)) {
        const override = t.options?.[plugin.name];
        if (!override) continue;
        await setupOne(plugin, checkOptions(plugin, { ...plugin.options, ...override }, `teams.${team}.options["${plugin.name}"]`), team);
        teamVariants.push(team);
      }
      records.push({
        name: plugin.name,
        version: plugin.definition.version,
        source: plugin.source,
        description: plugin.definition.description,
        dependsOn: plugin.definition.dependsOn ?? [],
        setupMs: performance.now() - t0,
        teamVariants,
      });
    }
  } catch (error) {
    await closePlugins(lifecycles, log);
    await storage.close();
    throw error;
  }
  for (const [team, t] of Object.entries(config.teams)) {
    const teamDisabled = new Set(t.disable ?? []);
    bus.defineTeam(team, teamDisabled, new Set(Object.keys(t.options ?? {})));
    providers.disableForTeam(team, teamDisabled);
  }
  log.debug({ plugins: records.length, ms: Math.round(performance.now() - started) }, 'plugins set up');

  // ---- HTTP shell -------------------------------------------------------------------------------
  // The body's bytes by readBody (taken whole when they came with the head), checked as UTF-8 and parsed; the
  // value nested at most MAX_JSON_DEPTH levels and free of prototype-poisoning keys (kernel/http/json-body.ts).
  // Text, bytes and value are kept as the exchange's `body`.
  app.addContentTypeParser('application/json', (req, payload, done) => {
    const limit = (req as unknown as { [BODY_LIMIT]?: number })[BODY_LIMIT] ?? config.server.bodyLimit;
    readBody(payload, req.headers['content-length'], limit, (bytes) => {
      if (!Buffer.isBuffer(bytes)) return done(bytes, undefined);
      const text = utf8Text(bytes);
      if (typeof text !== 'string') return done(text, undefined);
      parseJsonBody(text, (error, json) => {
        if (!error) (req as unknown as { [CLIENT_BODY]?: ClientBody })[CLIENT_BODY] = { text, bytes, json };
        done(error, json);
      });
    });
  });
  app.addHook('onRequest', (req, reply, done) => {
    (req as unknown as { [START]: number })[START] = performance.now();
    reply.header('x-request-id', req.id);
    if (shuttingDown) {
      done(new LynkrError('LYNKR_ERR_SHUTTING_DOWN', 'Lynkr is shutting down'));
      return;
    }
    done();
  });

  app.setErrorHandler((error, req, reply) => {
    const err = normalizeError(error);
    // Refusals under load are expected, and a stack per refused request would add to the load.
    if (err.status >= 500 && err.code !== 'LYNKR_ERR_SHUTTING_DOWN' && err.code !== 'LYNKR_ERR_SERVER_OVERLOADED') httpLog.error({ reqId: req.id, err }, err.message);
    else httpLog.debug({ reqId: req.id, code: err.code }, err.message);
    const render = (req.routeOptions.config as Partial<RouteConfig> | undefined)?.renderError;
    const out = render ? render(err, { id: req.id }) : { status: err.status, body: defaultErrorBody(err, req.id), headers: undefined };
    if (err.headers) void reply.headers(err.headers);
    if (out.headers) void reply.headers(out.headers);
    return reply.code(out.status).send(out.body);
  });

  app.setNotFoundHandler((req, reply) => {
    const err = new LynkrError('LYNKR_ERR_REQUEST_NOT_FOUND', `no route for ${req.method} ${req.url.split('?')[0]}`);
    return reply.code(404).send(defaultErrorBody(err, req.id));
  });

  // The kernel's own routes take no key: the route-level hook of addRoute is what asks for one.
  app.get('/health', () => ({ status: 'ok' }));
  app.get('/health/ready', (_req, reply) => {
    const body = { status: ready && !shuttingDown ? 'ready' : shuttingDown ? 'stopping' : 'starting', plugins: records.map((r) => r.name) };
    return reply.code(ready && !shuttingDown ? 200 : 503).send(body);
  });

  // ---- lifecycle --------------------------------------------------------------------------------
  let stopping: Promise<void> | undefined;

  const kernel: Kernel = {
    config,
    log,
    plugins: records,
    pipeline,
    wraps: { get: (name) => wraps.get(name), list: () => wraps.list() },
    get isReady() {
      return ready;
    },
    async start() {
      // Without keys, whoever reaches the port spends the providers' credentials: only loopback, unless told otherwise.
      const auth = exposure(config.server, keys);
      if (auth === 'refused') {
        await kernel.stop();
        throw new LynkrError(
          'LYNKR_ERR_SERVER_UNAUTHENTICATED',
          `refusing to listen on ${config.server.host} without Lynkr keys: configure keys (or LYNKR_API_KEYS), bind 127.0.0.1, ` +
            'or allow it with server.allowUnauthenticated, --allow-unauthenticated or LYNKR_ALLOW_UNAUTHENTICATED=true',
        );
      }
      if (auth === 'exposed') {
        log.warn({ host: config.server.host }, `no Lynkr keys and server.host ${config.server.host} is not loopback: anyone who can reach the port can use your providers (allowed by server.allowUnauthenticated)`);
      }
      let address: string;
      try {
        address = await app.listen({ port: config.server.port, host: config.server.host });
      } catch (error) {
        await kernel.stop();
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') {
          throw new LynkrError('LYNKR_ERR_SERVER_PORT_IN_USE', `port ${config.server.port} on ${config.server.host} is in use (start with --port N, or stop the other process)`, { cause: error });
        }
        throw new LynkrError('LYNKR_ERR_SERVER_LISTEN', `cannot listen on ${config.server.host}:${config.server.port}: ${(error as Error).message}`, { cause: error });
      }
      for (const { name, life } of lifecycles) {
        if (!life.ready) continue;
        try {
          await life.ready();
        } catch (error) {
          await kernel.stop();
          throw new LynkrError('LYNKR_ERR_PLUGIN_SETUP', `plugin "${name}" failed in ready: ${(error as Error).message}`, { cause: error, plugin: name });
        }
      }
      ready = true;
      const { port } = app.server.address() as AddressInfo;
      log.info(
        { address, plugins: records.length, auth: auth === 'protected' ? 'keys' : 'off', keys: keys.size },
        `Lynkr listening on ${address} (${auth === 'protected' ? `Lynkr keys required, ${keys.size} configured` : auth === 'local' ? 'no Lynkr keys: this machine only' : 'no Lynkr keys'})`,
      );
      return { url: address, port, host: config.server.host };
    },
    stop() {
      stopping ??= (async () => {
        shuttingDown = true;
        const grace = setTimeout(() => {
          for (const c of inFlight) c.abort(new LynkrError('LYNKR_ERR_SHUTTING_DOWN', 'Lynkr is shutting down'));
          app.server.closeAllConnections?.();
        }, config.server.shutdownGraceMs);
        grace.unref();
        try {
          await app.close();
        } finally {
          clearTimeout(grace);
        }
        await observers.drain();
        await closePlugins(lifecycles, log);
        await services.dispose().catch((err: unknown) => log.warn({ err }, 'service disposal failed'));
        await storage.close();
        log.debug('stopped');
      })();
      return stopping;
    },
    inject: (opts) => app.inject(opts),
    stages(team) {
      const compiled = bus.stages(team);
      return Object.fromEntries(
        STAGES.map((s) => [s, compiled[s].map((r) => (r.order === 'normal' ? r.plugin : `${r.plugin} (${r.order})`))]),
      ) as Record<StageName, string[]>;
    },
  };
  return kernel;
}

const START = Symbol('lynkr.start');
/** The JSON body's text and bytes, kept beside the parsed body for byte-for-byte passthrough (the exchange's `body`). */
const CLIENT_BODY = Symbol('lynkr.client-body');
/** The route's body limit, for the JSON parser. */
const BODY_LIMIT = Symbol('lynkr.body-limit');

async function closePlugins(lifecycles: Array<{ name: string; life: PluginLifecycle }>, log: Logger): Promise<void> {
  for (const { name, life } of [...lifecycles].reverse()) {
    if (!life.close) continue;
    try {
      await life.close();
    } catch (err) {
      log.error({ err, plugin: name }, `plugin "${name}" failed in close`);
    }
  }
  lifecycles.length = 0;
}
