#!/usr/bin/env node
import { main } from './main.js';

let signalled = 0;
const code = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  cwd: process.cwd(),
  onShutdown(handler) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        // A second signal means "now": skip the grace period.
        if (signalled++) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
        handler(signal);
      });
    }
  },
});
process.exitCode = code;
