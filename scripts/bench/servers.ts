/**
 * The server processes of a bench: each started from the repository's root,
 * its URL read from the port it prints first on stdout, all stopped together.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: repoRoot() });
    this.#children.push(child);
    const [data] = (await once(child.stdout!, 'data')) as [Buffer];
    return `http://127.0.0.1:${String(data).trim()}`;
  }

  /** Stop every server started so far that is still running. */
  stop(): void {
    for (const child of this.#children.splice(0)) if (child.exitCode === null) child.kill('SIGTERM');
  }
}
