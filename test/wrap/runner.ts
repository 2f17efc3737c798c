/**
 * `lynkr wrap` as its own process, for the tests that need one (signals,
 * real tools): `node --import tsx test/wrap/runner.ts <target> [...]`. The
 * same Io as kernel/cli/bin.ts; it stands in for `lynkr wrap` until bin
 * dispatches it.
 */
import { wrapCommand } from '../../kernel/cli/wrap.js';

const code = await wrapCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  cwd: process.cwd(),
  onShutdown: () => undefined,
});
process.exitCode = code;
