/**
 * A coding tool that `lynkr wrap <name>` can launch pointed at Lynkr. The
 * kernel owns the process plumbing (finding the binary, spawning it, signals,
 * exit codes); a target only says how its tool is found and configured.
 * @public
 */
export interface WrapTarget {
  /** The name used on the command line: `lynkr wrap <name>`. */
  name: string;
  /** Binary names to look for, in order of preference (`claude`, `codex`, ...). */
  binaries: readonly string[];
  /** How to install the tool, printed when it is missing. */
  install: string;
  /**
   * More places to look after `PATH` and the npm global bin: folders
   * (searched for each of `binaries`) or full paths of an executable. A
   * leading `~/` is the home folder. The kernel also looks in the usual
   * install folders (`~/.local/bin`, `/usr/local/bin`, `/opt/homebrew/bin`, ...).
   */
  places?: readonly string[];
  /**
   * An explicit executable from the plugin's options (a path, or a name
   * looked up in `PATH`). `LYNKR_WRAP_<NAME>_BIN` overrides it.
   */
  bin?: string;
  /** The environment and arguments that point the tool at Lynkr. */
  prepare(options: WrapPrepareOptions): WrapLaunch | Promise<WrapLaunch>;
}

/** @public */
export interface WrapPrepareOptions {
  /** Lynkr's base URL, without a path: e.g. `http://127.0.0.1:43121`. */
  baseUrl: string;
  /** Arguments given after `--`, verbatim. */
  args: readonly string[];
  /** The environment the tool will inherit (the caller's, without what Lynkr read from `.env`). */
  env: Readonly<Record<string, string | undefined>>;
  /** The executable that will run (absolute path). */
  bin: string;
  /**
   * The key the tool should present to Lynkr: a configured Lynkr key when
   * Lynkr requires one (`keyRequired`), else a placeholder for tools that
   * refuse to start without a key.
   */
  apiKey: string;
  /** Whether Lynkr requires a key (keys are configured). */
  keyRequired: boolean;
}

/** @public */
export interface WrapLaunch {
  /** Variables set for the tool, over the inherited environment. */
  env: Record<string, string>;
  /** The tool's full argument list. */
  args: string[];
  /** One line printed (to stderr) before the tool starts: what does not go through Lynkr, for instance. */
  notice?: string;
}

/** @public */
export interface WrapRegistry {
  register(target: WrapTarget): void;
  get(name: string): WrapTarget | undefined;
  list(): WrapTarget[];
}
