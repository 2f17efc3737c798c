/**
 * A coding tool that `lynkr wrap <name>` can launch pointed at Lynkr. The
 * kernel owns the process plumbing; a target only says how its tool is found
 * and configured.
 * @public
 */
export interface WrapTarget {
  /** The name used on the command line: `lynkr wrap <name>`. */
  name: string;
  /** Binary names to look for, in order (`claude`, `codex`, ...). */
  binaries: readonly string[];
  /** How to install the tool, printed when it is missing. */
  install: string;
  /** The environment and arguments that point the tool at Lynkr. */
  prepare(options: WrapPrepareOptions): WrapLaunch | Promise<WrapLaunch>;
}

/** @public */
export interface WrapPrepareOptions {
  /** Lynkr's base URL, e.g. `http://127.0.0.1:43121`. */
  baseUrl: string;
  /** Arguments given after `--`. */
  args: readonly string[];
  /** The environment Lynkr was started with. */
  env: Readonly<Record<string, string | undefined>>;
}

/** @public */
export interface WrapLaunch {
  env: Record<string, string>;
  args: string[];
}

/** @public */
export interface WrapRegistry {
  register(target: WrapTarget): void;
  get(name: string): WrapTarget | undefined;
  list(): WrapTarget[];
}
