/**
 * Stand-in executables for `lynkr wrap` tests: a tiny Node script under the
 * tool's name that records its arguments and the environment variables of
 * interest, then does what the test asks through its own environment:
 *
 * - `STANDIN_RECORD`: the JSON file to write (required);
 * - `STANDIN_EXIT`: the exit code (default 0);
 * - `STANDIN_ASK`: `anthropic` sends one Messages request to Lynkr at
 *   `ANTHROPIC_BASE_URL` (with `x-api-key: $ANTHROPIC_API_KEY`, and the
 *   `ANTHROPIC_CUSTOM_HEADERS`) and records the answer;
 * - `STANDIN_WAIT=1`: stay up until a signal; record SIGINT, SIGTERM and
 *   SIGHUP, then die of the signal, as a tool without handlers would.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface StandInRecord {
  name: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  answer?: { status: number; body: unknown };
  waiting?: boolean;
  signals: string[];
}

const SCRIPT = `
const fs = require('node:fs');
const path = require('node:path');
const out = process.env.STANDIN_RECORD;
const keep = /^(ANTHROPIC_|OPENAI_|COPILOT_|LYNKR_|CODEX_|AIDER_|LOG_LEVEL$)/;
const record = {
  name: path.basename(process.argv[1]),
  argv: process.argv.slice(2),
  env: Object.fromEntries(Object.entries(process.env).filter(([k]) => keep.test(k))),
  cwd: process.cwd(),
  signals: [],
};
const save = () => fs.writeFileSync(out, JSON.stringify(record));
async function ask() {
  const headers = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
  if (process.env.ANTHROPIC_API_KEY) headers['x-api-key'] = process.env.ANTHROPIC_API_KEY;
  for (const line of (process.env.ANTHROPIC_CUSTOM_HEADERS || '').split('\\n')) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  const res = await fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hello stand-in' }] }),
  });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  record.answer = { status: res.status, body };
}
(async () => {
  save();
  if (process.env.STANDIN_ASK === 'anthropic') { await ask(); save(); }
  if (process.env.STANDIN_WAIT) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
      process.on(signal, () => {
        record.signals.push(signal);
        save();
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
      });
    }
    setInterval(() => undefined, 1000);
    record.waiting = true;
    save();
    return;
  }
  process.exit(Number(process.env.STANDIN_EXIT || 0));
})();
`;

/** Write an executable stand-in named `name` into `dir`; returns its path. */
export function writeStandIn(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  // An absolute interpreter: PATH in the tests may hold nothing but stand-ins. `.cjs` semantics: no package.json here.
  writeFileSync(file, `#!${process.execPath}\n${SCRIPT}`);
  chmodSync(file, 0o755);
  return file;
}

export function readRecord(file: string): StandInRecord | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StandInRecord;
  } catch {
    // Caught mid-write: the next poll reads it whole.
    return undefined;
  }
}

/** Poll until the record satisfies `ready`. */
export async function waitForRecord(file: string, ready: (r: StandInRecord) => boolean, timeoutMs = 20_000): Promise<StandInRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = readRecord(file);
    if (record && ready(record)) return record;
    if (Date.now() > deadline) throw new Error(`stand-in record ${file} not ready after ${timeoutMs} ms: ${JSON.stringify(record)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
