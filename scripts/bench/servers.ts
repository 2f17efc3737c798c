/**
 * The server processes of a bench: each started from the repository's root,
 * its URL read from the port it prints first on stdout, all stopped together.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root: the nearest folder above this module with a package.json (from scripts/ or dist/scripts/). */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

export class Servers {
  readonly #children: ChildProcess[] = [];

  /** Start `command` and resolve with `http://127.0.0.1:<port>` once it printed its port. */
  async start(command: string, args: string[]): Promise<string> {
    return (await this.startProcess(command, args)).origin;
  }

  /** The same, with the process id (to read its memory). */
  async startProcess(command: string, args: string[]): Promise<{ origin: string; pid: number }> {
    const child = this.spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const [data] = (await once(child.stdout!, 'data')) as [Buffer];
    return { origin: `http://127.0.0.1:${String(data).trim()}`, pid: child.pid! };
  }

  /** Start a process that says it is ready some other way; it is stopped with the others. */
  spawn(command: string, args: string[], options: SpawnOptions): ChildProcess {
    const child = spawn(command, args, { cwd: repoRoot(), ...options });
    this.#children.push(child);
    return child;
  }

  /** Stop every server started so far that is still running. */
  stop(): void {
    for (const child of this.#children.splice(0)) if (child.exitCode === null) child.kill('SIGTERM');
  }
}
