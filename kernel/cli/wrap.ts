/**
 * `lynkr wrap <target>`: start Lynkr in this process, run a coding tool
 * pointed at it, and stop Lynkr when the tool exits. The kernel does the
 * process work; the target (a plugin) says how its tool is found and
 * configured.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino, { type Logger } from 'pino';
import { isLynkrError } from '../errors.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/schema.js';
import { KeyMap } from '../http/auth.js';
import { createKernel, type Kernel } from '../kernel.js';
import { createLogger } from '../log/index.js';
import { binEnvVar, findBinary, runTool, type RunResult } from '../wrap/run.js';
import type { Io } from './main.js';

export const WRAP_HELP = `Usage: lynkr wrap <target> [--port N] [--config FILE] [-- tool arguments...]

Starts Lynkr in this process (on a free port unless --port is given), runs
the tool pointed at it, and stops Lynkr when the tool exits, with the tool's
exit code. Everything after -- goes to the tool verbatim.

Targets (each comes from its plugin, wrap-<target>):
  claude    Claude Code        codex    Codex CLI        copilot  Copilot CLI
  aider     Aider              cursor   Cursor agent CLI, else the editor

Options:
  --port N         listen on port N instead of a free port
  --config FILE    use this config file (default: lynkr.config.ts here, else the environment)
  --help           print this help

Environment:
  LYNKR_WRAP_<TARGET>_BIN     the tool's executable (e.g. LYNKR_WRAP_CLAUDE_BIN)
  LYNKR_API_KEY               the Lynkr key the tool presents, when Lynkr requires keys
  LYNKR_WRAP_SHOW_STATS=false no summary when the tool exits
  LOG_LEVEL                   when set, Lynkr logs at that level to stderr (or log.file);
                              otherwise to .lynkr/logs/wrap-<target>-<time>.log

Exit codes: the tool's; 128 + N when signal N ended it; 1 for an unknown
target or when Lynkr cannot start; 2 for a usage error or a missing tool.`;

class UsageError extends Error {}

interface WrapArgs {
  target: string;
  port: number | undefined;
  config: string | undefined;
  toolArgs: string[];
}

/** Split `<target> [options] [-- args]`: the tool's arguments are never parsed. */
function parseWrapArgs(argv: readonly string[]): WrapArgs | 'help' {
  const dash = argv.indexOf('--');
  const own = dash === -1 ? [...argv] : argv.slice(0, dash);
  const toolArgs = dash === -1 ? [] : argv.slice(dash + 1);
  let parsed;
  try {
    parsed = parseArgs({
      args: own,
      options: { port: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = (error as Error).message.split('. ')[0];
    throw new UsageError(`${message}: the tool's own arguments go after --, as in lynkr wrap claude -- -p "hi"`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [target, ...extra] = positionals;
  if (!target) throw new UsageError('wrap needs a target, as in lynkr wrap claude');
  if (extra.length) throw new UsageError(`unexpected "${extra[0]}": the tool's own arguments go after --, as in lynkr wrap ${target} -- ${extra.join(' ')}`);
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: expected a port number, got "${values.port}"`);
  }
  return { target, port, config: values.config, toolArgs };
}

/** A file-name-safe local time: `2025-03-01T14-05-09`. */
function stamp(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}-${p(date.getMinutes())}-${p(date.getSeconds())}`;
}

interface WrapLog {
  log: Logger;
  /** The log file, when logs go to one. */
  file: string | undefined;
  close(): Promise<void>;
}

/**
 * Lynkr's logs stay off the tool's terminal: to `.lynkr/logs/` (or the
 * config's `log.file`), unless `LOG_LEVEL` asks for them, which sends them
 * to stderr (stdout belongs to the tool, whose output may be piped).
 */
function wrapLogger(config: ResolvedConfig, env: Io['env'], io: Io, target: string): WrapLog {
  const level = config.log.level;
  if (env.LOG_LEVEL && !config.log.file) {
    const stream = { write: (line: string) => io.err(line.trimEnd()) } as unknown as NodeJS.WritableStream;
    return { log: createLogger({ level, cwd: config.cwd, stream }), file: undefined, close: async () => undefined };
  }
  const file = config.log.file ? path.resolve(config.cwd, config.log.file) : path.join(config.cwd, '.lynkr', 'logs', `wrap-${target}-${stamp()}.log`);
  const dest = pino.destination({ dest: file, mkdir: true, sync: false });
  return {
    log: createLogger({ level, cwd: config.cwd, stream: dest as unknown as NodeJS.WritableStream }),
    file,
    close: () =>
      new Promise<void>((resolve) => {
        dest.once('close', () => resolve());
        dest.once('error', () => resolve());
        dest.end();
      }),
  };
}

/** The address a tool on this machine reaches Lynkr at. */
function clientHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

async function waitReady(baseUrl: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`Lynkr did not become ready at ${baseUrl}/health/ready within ${timeoutMs / 1000} s (${last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The key a tool presents to Lynkr, or a reason Lynkr cannot give it one. */
function toolKey(config: ResolvedConfig, env: Io['env']): { apiKey: string; keyRequired: boolean } | { problem: string } {
  const keys = new KeyMap(config);
  const given = env.LYNKR_API_KEY;
  if (!keys.enabled) return { apiKey: given || 'lynkr-local', keyRequired: false };
  if (given) {
    return keys.match(given) ? { apiKey: given, keyRequired: true } : { problem: 'LYNKR_API_KEY is not one of the keys in the config, so Lynkr would refuse the tool\'s requests' };
  }
  const first = config.keys[0];
  if (first) return { apiKey: first, keyRequired: true };
  return { problem: 'Lynkr requires a key and the config has team keys only: set LYNKR_API_KEY to the key the tool should use' };
}

/** What `GET /v1/lynkr/stats` answers, as far as the summary needs it. */
interface Stats {
  requests: number;
  errors: number;
  aborted?: number;
  cacheHits: number;
  fallbacks?: number;
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number };
  tiers: Record<string, number>;
  cost: { currency: string; estimated: number; unpriced: string[]; baseline: { model: string; cost: number } | null; saving: number | null };
}

async function readStats(baseUrl: string, key: string | undefined): Promise<Stats | undefined> {
  try {
    const res = await fetch(`${baseUrl}/v1/lynkr/stats`, { headers: key ? { 'x-lynkr-key': key } : {}, signal: AbortSignal.timeout(2000) });
    if (!res.ok) {
      await res.arrayBuffer();
      return undefined;
    }
    return (await res.json()) as Stats;
  } catch {
    return undefined;
  }
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

function formatCost(n: number, currency: string): string {
  const sign = currency === 'USD' ? '$' : `${currency} `;
  return `${n < 0 ? '-' : ''}${sign}${Math.abs(n) < 0.01 && n !== 0 ? Math.abs(n).toFixed(4) : Math.abs(n).toFixed(2)}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The summary printed when the tool exits. Without stats (the stats plugin is off), the first line only. */
export function formatSummary(target: string, run: RunResult, stats: Stats | undefined, logFile?: string): string[] {
  const how = run.error ? `could not start (${run.error})` : run.signal ? `ended by ${run.signal} (exit ${run.exitCode})` : `exited with code ${run.exitCode}`;
  const lines = [`lynkr wrap ${target}: ${how} after ${formatDuration(run.durationMs)}`];
  if (stats) {
    const notes = [
      stats.cacheHits && plural(stats.cacheHits, 'cache hit'),
      stats.fallbacks && plural(stats.fallbacks, 'fallback'),
      stats.errors && plural(stats.errors, 'error'),
      stats.aborted && `${stats.aborted} aborted`,
    ].filter(Boolean);
    lines.push(`  requests  ${stats.requests}${notes.length ? ` (${notes.join(', ')})` : ''}`);
    const t = stats.tokens;
    // Requests that carried no tokens (aborted before an answer, cache hits only) have nothing to price.
    if (t.input + t.output + t.cacheRead + t.cacheWrite > 0 || (stats.cost.baseline?.cost ?? 0) > 0) {
      const input = t.input + t.cacheRead + t.cacheWrite;
      lines.push(`  tokens    in ${formatCount(input)}${t.cacheRead ? ` (${formatCount(t.cacheRead)} cached)` : ''} · out ${formatCount(t.output)}`);
      const tiers = Object.entries(stats.tiers);
      if (tiers.length) lines.push(`  tiers     ${tiers.map(([tier, n]) => `${tier} ${n}`).join(' · ')}`);
      const c = stats.cost;
      let cost = `~${formatCost(c.estimated, c.currency)}`;
      if (c.baseline && c.saving !== null) {
        const pct = c.baseline.cost > 0 ? ` (${Math.round((c.saving / c.baseline.cost) * 100)}%)` : '';
        cost += ` · all on ${c.baseline.model}: ~${formatCost(c.baseline.cost, c.currency)} · saved ~${formatCost(c.saving, c.currency)}${pct}`;
      }
      lines.push(`  cost      ${cost}`);
      if (c.unpriced.length) lines.push(`  unpriced  ${c.unpriced.join(', ')} (counted as free)`);
    }
  }
  if (logFile) lines.push(`  logs      ${logFile}`);
  return lines;
}

/**
 * Run `lynkr wrap`. `argv` is everything after `wrap`. Returns the exit
 * code: the tool's (128 + N when signal N ended it), 1 for an unknown target
 * or a Lynkr that cannot start, 2 for a usage error or a missing tool.
 */
export async function wrapCommand(argv: string[], io: Io): Promise<number> {
  let args;
  try {
    args = parseWrapArgs(argv);
  } catch (error) {
    io.err(`lynkr wrap: ${(error as Error).message}\n\n${WRAP_HELP}`);
    return 2;
  }
  if (args === 'help') {
    io.out(WRAP_HELP);
    return 0;
  }

  // The tool inherits the caller's environment, not what Lynkr reads from .env (upstream keys, Lynkr's own settings).
  const toolEnv: Record<string, string | undefined> = { ...io.env };
  let kernel: Kernel | undefined;
  let logs: WrapLog | undefined;
  try {
    // Port 0 unless --port: a free port, so a Lynkr already running (PORT, server.port) is never attached to.
    const config = await loadConfig({ cwd: io.cwd, env: io.env, configFile: args.config, overrides: { port: args.port ?? 0 } });
    const env = io.env;
    logs = wrapLogger(config, env, io, args.target);
    kernel = await createKernel(config, { logger: logs.log });

    const target = kernel.wraps.get(args.target);
    if (!target) {
      const known = kernel.wraps.list().map((t) => t.name);
      io.err(
        `lynkr wrap: unknown target "${args.target}" (${known.length ? `available: ${known.join(', ')}` : 'no wrap target is enabled'}). ` +
          `Targets come from plugins: add "wrap-${args.target}" to the config's plugins if it exists.`,
      );
      return 1;
    }

    const found = findBinary(target, { env: { ...toolEnv, [binEnvVar(target.name)]: env[binEnvVar(target.name)] }, cwd: io.cwd });
    if (!found.found) {
      io.err(`lynkr wrap: ${found.problem ?? `${target.name} is not installed (looked in ${found.looked.join(', ')})`}.`);
      io.err(`Install it: ${target.install}`);
      io.err(`Or name its executable: ${binEnvVar(target.name)}=/path/to/${target.binaries[0]} (or the plugin's "bin" option).`);
      return 2;
    }

    const key = toolKey(config, env);
    if ('problem' in key) {
      io.err(`lynkr wrap: ${key.problem}.`);
      return 1;
    }

    const { port, host } = await kernel.start();
    const baseUrl = `http://${clientHost(host)}:${port}`;
    await waitReady(baseUrl);

    const launch = await target.prepare({ baseUrl, args: args.toolArgs, env: toolEnv, bin: found.path, apiKey: key.apiKey, keyRequired: key.keyRequired });
    const logNote = logs.file ? ` · logs: ${path.relative(io.cwd, logs.file) || logs.file}` : '';
    io.err(`lynkr: ${target.name} (${found.path}) → Lynkr at ${baseUrl}${logNote}`);
    if (launch.notice) io.err(`lynkr: ${launch.notice}`);

    const run = await runTool({ file: found.path, args: launch.args, env: { ...toolEnv, ...launch.env }, cwd: io.cwd });
    kernel.log.info({ target: target.name, exitCode: run.exitCode, signal: run.signal, error: run.error }, `${target.name} exited`);

    if (env.LYNKR_WRAP_SHOW_STATS?.trim().toLowerCase() !== 'false') {
      const stats = await readStats(baseUrl, key.keyRequired ? key.apiKey : undefined);
      const file = logs.file && (path.relative(io.cwd, logs.file) || logs.file);
      for (const line of formatSummary(target.name, run, stats, file)) io.err(line);
    } else if (run.error) {
      io.err(`lynkr wrap: ${target.name} could not start: ${run.error}`);
    }
    return run.exitCode;
  } catch (error) {
    io.err(isLynkrError(error) ? `lynkr wrap: ${error.message} [${error.code}]` : `lynkr wrap: ${(error as Error).stack ?? String(error)}`);
    return 1;
  } finally {
    // Streams still open finish or are aborted within server.shutdownGraceMs; plugins flush their state.
    await kernel?.stop().catch((error: unknown) => io.err(`lynkr wrap: shutting down: ${(error as Error).message}`));
    await logs?.close();
  }
}
