import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import pino from 'pino';
import { isLynkrError } from '../errors.js';
import { loadConfig, type LoadOptions } from '../config/load.js';
import type { ResolvedConfig } from '../config/schema.js';
import { createKernel, type Kernel } from '../kernel.js';
import { createExchange } from '../pipeline/exchange.js';
import { formatValidationErrors, validateMessagesRequest } from '../ir/schema.js';
import type { MessagesRequest } from '../ir/types.js';
import { maskSecrets } from '../log/index.js';
import { pluginEntryName } from '../loader/names.js';
import { isPluginFactory, isPluginInstance } from '../plugin/define.js';
import { KERNEL_VERSION, LYNKR_VERSION } from '../version.js';

/** Where the CLI writes; injectable so tests can read it. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Resolves when the process should shut down (a signal); `serve` awaits it. */
  onShutdown(handler: (signal: string) => void): void;
}

const HELP = `Usage: lynkr <command> [options]

Commands:
  serve            start the gateway (the default command)
  plugins          print the plugins in boot order and the pipeline per stage
  config check     validate the config and print it with secrets masked
  init             write a lynkr.config.ts by asking a few questions
                   (--yes --tier simple=ollama:llama3.2 ... asks none; lynkr init --help)
  wrap TARGET      start Lynkr and run a coding tool pointed at it:
                   claude, codex, copilot, aider, cursor (lynkr wrap --help)
  route PROMPT     print where a request with this prompt would go, and why,
                   without calling a model (--request FILE explains a saved
                   Anthropic Messages request instead; --json for JSON)

Options:
  --config FILE    use this config file (default: lynkr.config.ts here, else the environment)
  --port N         listen on port N (overrides PORT and server.port)
  --host H         bind to H (default 127.0.0.1)
  --allow-unauthenticated
                   listen beyond loopback with no Lynkr key configured
                   (refused otherwise; keys: docs/config.md)
  --json           machine-readable output (route)
  --version        print the version
  --help           print this help

Docs: docs/config.md (config and environment variables), docs/plugins.md (writing plugins).`;

const OPTIONS = {
  config: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'allow-unauthenticated': { type: 'boolean' },
  request: { type: 'string' },
  json: { type: 'boolean' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

/** A usage error: exit code 2. */
class UsageError extends Error {}

function loadOptions(values: { config?: string; port?: string; host?: string; 'allow-unauthenticated'?: boolean }, io: Io): LoadOptions {
  const overrides: NonNullable<LoadOptions['overrides']> = {};
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected a port number, got "${values.port}"`);
    overrides.port = port;
  }
  if (values.host !== undefined) overrides.host = values.host;
  if (values['allow-unauthenticated']) overrides.allowUnauthenticated = true;
  return { cwd: io.cwd, env: io.env, configFile: values.config, overrides };
}

/** A logger for the one-shot commands: warnings and worse, to stderr. */
function quietLogger(io: Io) {
  return pino({ level: io.env.LOG_LEVEL ?? 'warn', base: { name: 'lynkr' } }, { write: (s: string) => io.err(s.trimEnd()) });
}

/**
 * Run the CLI. Returns the exit code; `serve` returns only after shutdown.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  // Everything after `wrap <target>` belongs to the tool: it is parsed by the wrap command, not here.
  // Loaded when used: `serve` should not carry the process plumbing of wrap or the wizard.
  if (argv[0] === 'wrap') return (await import('./wrap.js')).wrapCommand(argv.slice(1), io);
  if (argv[0] === 'init') return (await import('./init/index.js')).initCommand(argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`lynkr: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.out(`lynkr ${LYNKR_VERSION} (kernel ${KERNEL_VERSION})`);
    return 0;
  }
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const command = positionals[0] === 'route' ? 'route' : positionals.join(' ') || 'serve';
  try {
    switch (command) {
      case 'route':
        return await route(loadOptions(values, io), io, { prompt: positionals.slice(1).join(' '), requestFile: values.request, json: values.json === true });
      case 'serve':
        return await serve(loadOptions(values, io), io);
      case 'plugins':
        return await plugins(loadOptions(values, io), io);
      case 'config check':
        return await configCheck(loadOptions(values, io), io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`lynkr: ${error.message}\n\n${HELP}`);
      return 2;
    }
    io.err(isLynkrError(error) ? `lynkr: ${error.message} [${error.code}]` : `lynkr: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

async function serve(options: LoadOptions, io: Io): Promise<number> {
  const config = await loadConfig(options);
  const kernel = await createKernel(config);
  const stopped = new Promise<string>((resolve) => io.onShutdown(resolve));
  await kernel.start();
  const signal = await stopped;
  kernel.log.info({ signal }, 'shutting down');
  await kernel.stop();
  return 0;
}

async function plugins(options: LoadOptions, io: Io): Promise<number> {
  const config = await loadConfig(options);
  const kernel = await createKernel(config, { logger: quietLogger(io) });
  try {
    io.out(describeKernel(kernel));
  } finally {
    await kernel.stop();
  }
  return 0;
}

function describeSource(config: ResolvedConfig): string {
  return config.configFile ? `config ${config.configFile}` : 'config from the environment (no lynkr.config.ts)';
}

/** The text `lynkr plugins` prints. */
export function describeKernel(kernel: Kernel): string {
  const lines = [`Lynkr ${LYNKR_VERSION} (kernel ${KERNEL_VERSION}), ${describeSource(kernel.config)}`, ''];
  lines.push('Plugins, in boot order:');
  if (!kernel.plugins.length) lines.push('  (none)');
  const width = (pick: (p: Kernel['plugins'][number]) => string) => Math.max(0, ...kernel.plugins.map((p) => pick(p).length));
  const [name, version, source] = [width((p) => p.name), width((p) => p.version), width((p) => p.source)];
  for (const p of kernel.plugins) {
    const deps = p.dependsOn.length ? `  after ${p.dependsOn.join(', ')}` : '';
    lines.push(`  ${p.name.padEnd(name)}  ${p.version.padEnd(version)}  ${p.source.padEnd(source)}  ${p.setupMs.toFixed(1).padStart(6)} ms${deps}`);
  }
  lines.push('', 'Pipeline, per stage in run order:');
  const stages = kernel.stages();
  for (const [stage, names] of Object.entries(stages)) {
    lines.push(`  ${stage.padEnd(13)} ${names.length ? names.join(' → ') : '(none)'}`);
  }
  const teams = Object.entries(kernel.config.teams);
  if (teams.length) {
    lines.push('', 'Teams:');
    for (const [name, team] of teams) {
      const parts = [];
      if (team.disable?.length) parts.push(`disables ${team.disable.join(', ')}`);
      const own = Object.keys(team.options ?? {});
      if (own.length) parts.push(`own options for ${own.join(', ')}`);
      parts.push(`${team.keys?.length ?? 0} key(s)`);
      lines.push(`  ${name}: ${parts.join('; ')}`);
    }
  }
  return lines.join('\n');
}

async function route(options: LoadOptions, io: Io, args: { prompt: string; requestFile?: string; json: boolean }): Promise<number> {
  let request: MessagesRequest;
  if (args.requestFile) {
    const body: unknown = JSON.parse(await readFile(path.resolve(io.cwd, args.requestFile), 'utf8'));
    const checked = validateMessagesRequest(body);
    if (!checked.ok) throw new UsageError(`--request ${args.requestFile}: ${formatValidationErrors(checked.errors)}`);
    request = checked.value;
  } else if (args.prompt) {
    request = { model: 'claude-sonnet-4-5', max_tokens: 4096, messages: [{ role: 'user', content: args.prompt }] };
  } else {
    throw new UsageError('route needs a prompt (lynkr route "fix the failing test") or --request FILE');
  }
  const config = await loadConfig(options);
  const kernel = await createKernel(config, { logger: quietLogger(io) });
  try {
    const ex = createExchange({ id: 'route-cli', surface: 'cli', log: kernel.log });
    const outcome = await kernel.pipeline.decide(request, ex);
    if (args.json) {
      io.out(JSON.stringify({ decision: outcome.decision ?? null, answeredBy: outcome.answeredBy ?? null }, null, 2));
    } else if (outcome.answeredBy) {
      io.out(`answered by plugin "${outcome.answeredBy}" in preRoute: no model would be called`);
    } else {
      const d = outcome.decision!;
      const { provider, model, tier, reasons, ...extra } = d;
      const facts = [tier && `tier ${tier}`, ...Object.entries(extra).map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)].filter(Boolean);
      io.out(`route: ${provider}:${model}${facts.length ? ` (${facts.join(', ')})` : ''}`);
      io.out(reasons.length ? `reasons:\n${reasons.map((r) => `  - ${r}`).join('\n')}` : 'reasons: (none given)');
    }
  } finally {
    await kernel.stop();
  }
  return 0;
}

async function configCheck(options: LoadOptions, io: Io): Promise<number> {
  const config = await loadConfig(options);
  // Booting checks what the schema alone cannot: plugin names, options, dependencies.
  const kernel = await createKernel(config, { logger: quietLogger(io) });
  await kernel.stop();
  const printable = {
    source: describeSource(config),
    server: config.server,
    storage: config.storage,
    log: config.log,
    plugins: config.plugins.map(({ entry }, i) => {
      const name = pluginEntryName(entry, `plugins[${i}]`);
      const opts = Array.isArray(entry) ? entry[1] : isPluginInstance(entry) ? entry.options : undefined;
      const from = typeof entry === 'string' || Array.isArray(entry) ? 'by name' : isPluginFactory(entry) || isPluginInstance(entry) ? 'imported' : '';
      return { name, from, options: opts ?? {} };
    }),
    disable: config.disable,
    keys: config.keys,
    teams: config.teams,
  };
  io.out(JSON.stringify(maskSecrets(printable), null, 2));
  io.out(`config ok: ${kernel.plugins.length} plugin(s)`);
  return 0;
}
