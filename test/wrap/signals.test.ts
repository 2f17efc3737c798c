/**
 * `lynkr wrap` as a process of its own (test/wrap/runner.ts): a signal sent
 * to Lynkr reaches the tool, and Lynkr exits with 128 + its number.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { waitForRecord, writeStandIn } from './stand-in.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = pathToFileURL(path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const RUNNER = path.join(root, 'test', 'wrap', 'runner.ts');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Start `lynkr wrap claude` with a stand-in that waits for a signal; resolves once the stand-in runs. */
async function startWrap() {
  const dir = mkdtempSync(path.join(tmpdir(), 'lynkr-wrap-signal-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'npm'));
  writeFileSync(path.join(dir, 'lynkr.config.ts'), `export default { storage: 'memory://', plugins: ['api-anthropic', 'stats', 'wrap-claude'] };\n`);
  writeStandIn(path.join(dir, 'bin'), 'claude');
  const record = path.join(dir, 'record.json');
  // stdin is not a terminal here, so a SIGINT is passed on too (on a terminal, Ctrl-C reaches the tool by itself).
  const child = spawn(process.execPath, ['--import', TSX, RUNNER, 'claude', '--', '--interactive'], {
    cwd: dir,
    env: { PATH: path.join(dir, 'bin'), HOME: dir, npm_config_global_prefix: path.join(dir, 'npm'), STANDIN_RECORD: record, STANDIN_WAIT: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += String(c)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await waitForRecord(record, (r) => r.waiting === true, 60_000);
  return { child, record, exited, stderr: () => stderr };
}

describe('lynkr wrap: signals', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ] as const)(
    'passes %s on to the tool and exits with %i',
    async (signal, code) => {
      const run = await startWrap();
      run.child.kill(signal);
      expect(await run.exited).toBe(code);
      const record = await waitForRecord(run.record, (r) => r.signals.length > 0);
      expect(record.signals).toEqual([signal]);
      expect(record.argv).toEqual(['--interactive']);
      expect(run.stderr()).toContain(`lynkr wrap claude: ended by ${signal} (exit ${code}) after `);
      expect(run.stderr()).toContain('  requests  0');
    },
    90_000,
  );
});
