/**
 * The process plumbing of `lynkr wrap`: where a tool's executable is found,
 * and how it runs (stdio inherited, signals forwarded, its exit code kept).
 * Targets never touch processes; they only describe their tool.
 */
import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { WrapTarget } from './types.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Folders tools are commonly installed in, searched after `PATH` and the npm
 * global bin: user-level installers (`~/.local/bin`: Claude's native
 * installer, pipx, uv, the Cursor agent), Homebrew, a user npm prefix.
 */
export const COMMON_PLACES: readonly string[] = ['~/.local/bin', '/usr/local/bin', '/opt/homebrew/bin', '~/.npm-global/bin', '~/bin'];

/** The variable that overrides a target's executable: `claude` → `LYNKR_WRAP_CLAUDE_BIN`. */
export function binEnvVar(target: string): string {
  return `LYNKR_WRAP_${target.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_BIN`;
}

export interface FindOptions {
  env: Env;
  /** Where a relative override is resolved from. */
  cwd: string;
  /** The usual install folders; tests pass `[]` to search only what they control. */
  commonPlaces?: readonly string[];
  platform?: NodeJS.Platform;
}

/** Where a binary was found, or everything that was tried. */
export type BinaryLookup =
  | { found: true; path: string; via: string }
  | { found: false; looked: string[]; problem?: string };

function home(env: Env): string {
  return env.HOME || env.USERPROFILE || os.homedir();
}

function expand(place: string, env: Env): string {
  return place === '~' || place.startsWith('~/') ? path.join(home(env), place.slice(1)) : place;
}

/** The names a binary may have on disk: `claude`, or on Windows `claude.cmd`, `claude.exe`, ... */
function fileNames(binary: string, env: Env, platform: NodeJS.Platform): string[] {
  if (platform !== 'win32' || path.extname(binary)) return [binary];
  const exts = (env.PATHEXT || '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean);
  return [...exts.map((e) => binary + e.toLowerCase()), binary];
}

function isExecutable(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    if (platform !== 'win32') accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `prefix=` from a user's `.npmrc`, without running npm (which costs hundreds of milliseconds). */
function npmrcPrefix(env: Env): string | undefined {
  try {
    const text = readFileSync(path.join(home(env), '.npmrc'), 'utf8');
    const m = /^\s*prefix\s*=\s*(.+?)\s*$/m.exec(text);
    return m?.[1] ? expand(m[1].replace(/^\$\{HOME\}|^\$HOME/, '~'), env) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where `npm install -g` puts executables: the configured prefix (from npm's
 * own environment when run under npm, `NPM_CONFIG_PREFIX`, `~/.npmrc`), else
 * npm's default: the prefix of the Node that runs Lynkr.
 */
export function npmGlobalBin(env: Env, platform: NodeJS.Platform = process.platform): string {
  const prefix =
    env.npm_config_global_prefix ||
    env.npm_config_prefix ||
    env.NPM_CONFIG_PREFIX ||
    npmrcPrefix(env) ||
    (platform === 'win32' ? path.join(env.APPDATA || path.dirname(process.execPath), 'npm') : path.dirname(path.dirname(process.execPath)));
  return platform === 'win32' ? prefix : path.join(prefix, 'bin');
}

function searchPath(name: string, env: Env, platform: NodeJS.Platform): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    for (const file of fileNames(name, env, platform)) {
      const candidate = path.resolve(dir, file);
      if (isExecutable(candidate, platform)) return candidate;
    }
  }
  return undefined;
}

/** An explicit executable: a path (relative to `cwd`), or a bare name looked up in `PATH`. */
function resolveOverride(value: string, from: string, options: FindOptions, platform: NodeJS.Platform): BinaryLookup {
  const isPath = value.includes('/') || value.includes('\\') || value.startsWith('~');
  if (isPath) {
    const file = path.resolve(options.cwd, expand(value, options.env));
    if (isExecutable(file, platform)) return { found: true, path: file, via: from };
    return { found: false, looked: [file], problem: `${from} is "${value}", which is not an executable file` };
  }
  const hit = searchPath(value, options.env, platform);
  if (hit) return { found: true, path: hit, via: from };
  return { found: false, looked: ['PATH'], problem: `${from} is "${value}", which is not an executable in PATH` };
}

/** The files a place offers for a binary: a folder's entries by that name, or the place itself when it is that executable. */
function candidatesIn(place: string, binary: string, env: Env, platform: NodeJS.Platform): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(place).isDirectory();
  } catch {
    return [];
  }
  if (isDir) return fileNames(binary, env, platform).map((f) => path.join(place, f));
  const base = path.basename(place, path.extname(place)).toLowerCase();
  return base === binary.toLowerCase() ? [place] : [];
}

/**
 * Find a target's executable. An explicit one wins (`LYNKR_WRAP_<NAME>_BIN`,
 * then the plugin's `bin` option) and is never second-guessed: when it does
 * not exist the lookup fails rather than running something else. Otherwise
 * each of the target's binaries in turn (the first is preferred wherever it
 * is) in `PATH`, the npm global bin, the target's own places, then the
 * common install folders.
 */
export function findBinary(target: Pick<WrapTarget, 'name' | 'binaries' | 'places' | 'bin'>, options: FindOptions): BinaryLookup {
  const platform = options.platform ?? process.platform;
  const envVar = binEnvVar(target.name);
  const fromEnv = options.env[envVar];
  if (fromEnv) return resolveOverride(fromEnv, envVar, options, platform);
  if (target.bin) return resolveOverride(target.bin, `the "bin" option of wrap target "${target.name}"`, options, platform);

  const searched = new Set<string>();
  const npmBin = npmGlobalBin(options.env, platform);
  const places = [npmBin, ...(target.places ?? []), ...(options.commonPlaces ?? COMMON_PLACES)].map((p) => expand(p, options.env));
  for (const binary of target.binaries) {
    const inPath = searchPath(binary, options.env, platform);
    if (inPath) return { found: true, path: inPath, via: 'PATH' };
    for (const place of places) {
      for (const candidate of candidatesIn(place, binary, options.env, platform)) {
        if (searched.has(candidate)) continue;
        searched.add(candidate);
        if (isExecutable(candidate, platform)) return { found: true, path: candidate, via: place === npmBin ? 'the npm global bin' : place };
      }
    }
  }
  return { found: false, looked: ['PATH', `the npm global bin (${npmBin})`, ...new Set(places.slice(1))] };
}

/** Signals `lynkr wrap` passes on to the tool. */
export const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];

export interface RunOptions {
  file: string;
  args: readonly string[];
  /** The tool's whole environment. */
  env: Record<string, string | undefined>;
  cwd: string;
  /**
   * Whether to pass on a SIGINT. On a terminal, Ctrl-C already reaches the
   * tool (it shares the terminal's foreground process group): passing it on
   * too would deliver it twice, and tools such as Claude Code read two quick
   * Ctrl-Cs as "exit" where one means "interrupt". Default: only when stdin
   * is not a terminal.
   */
  forwardInterrupt?: boolean;
  /** Called once the tool has started. */
  onSpawn?: (pid: number | undefined) => void;
}

export interface RunResult {
  /** The tool's exit code, or 128 + the signal number when a signal ended it, or 1 when it could not start. */
  exitCode: number;
  /** The signal that ended the tool, if one did. */
  signal?: string;
  /** Why the tool could not start. */
  error?: string;
  durationMs: number;
}

/** 128 + the signal's number, as shells report a process ended by a signal. */
export function signalExitCode(signal: string): number {
  const n = (os.constants.signals as Record<string, number | undefined>)[signal];
  return 128 + (n ?? 0);
}

/**
 * Run a tool in the foreground: stdio inherited, SIGINT, SIGTERM and SIGHUP
 * passed on while it runs (Lynkr does not die of them meanwhile), and its
 * exit status kept. Never rejects.
 */
export async function runTool(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const forwardInterrupt = options.forwardInterrupt ?? !process.stdin.isTTY;
  const subprocess = execa(options.file, [...options.args], {
    stdio: 'inherit',
    env: options.env,
    extendEnv: false,
    cwd: options.cwd,
    reject: false,
    // The tool decides how long it takes to stop; Lynkr never escalates to SIGKILL on its own.
    forceKillAfterDelay: false,
    // Arguments reach the tool verbatim: no shell, no Windows quoting tricks beyond execa's own.
    shell: false,
    windowsHide: false,
  });
  const handlers = new Map<ForwardedSignal, () => void>();
  for (const signal of FORWARDED_SIGNALS) {
    const handler = () => {
      if (signal === 'SIGINT' && !forwardInterrupt) return;
      if (subprocess.exitCode === null && subprocess.signalCode === null) subprocess.kill(signal);
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  options.onSpawn?.(subprocess.pid);
  try {
    const result = await subprocess;
    const durationMs = performance.now() - started;
    if (result.signal) return { exitCode: signalExitCode(result.signal), signal: result.signal, durationMs };
    if (typeof result.exitCode === 'number') return { exitCode: result.exitCode, durationMs };
    const cause = (result as { cause?: unknown }).cause;
    const message = cause instanceof Error ? cause.message : result.shortMessage;
    return { exitCode: 1, error: message, durationMs };
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
