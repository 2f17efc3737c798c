/**
 * `lynkr wrap` with the real tools (devDependencies), headless, each in a
 * throw-away HOME, through Lynkr to a fake Anthropic upstream: Claude Code,
 * Codex CLI and Copilot CLI (both of its provider types) complete a turn;
 * exit codes come back; a SIGTERM to Lynkr reaches the tool and ends in 143.
 * Lynkr runs as its own process (test/wrap/runner.ts), as `lynkr wrap` would.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeAnthropic, type FakeAnthropic } from '../fakes/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = pathToFileURL(path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const RUNNER = path.join(root, 'test', 'wrap', 'runner.ts');
const BIN = path.join(root, 'node_modules', '.bin');
const TIMEOUT = 180_000;
const REPLY = 'Hello from the fake upstream through lynkr wrap.';
const SLOW = 'take your time';

/** The text of the last user turn, whatever the client put around it. */
function lastUserText(body: { messages?: Array<{ role: string; content: unknown }> }): string {
  const user = (body.messages ?? []).filter((m) => m.role === 'user').at(-1);
  return JSON.stringify(user?.content ?? '');
}

let fake: FakeAnthropic;
let project: string;
const homes: string[] = [];

beforeAll(async () => {
  fake = await startFakeAnthropic({
    script: (body) => (lastUserText(body as never).includes(SLOW) ? { text: 'late', delayMs: 60_000 } : { text: REPLY }),
  });
  project = mkdtempSync(path.join(tmpdir(), 'lynkr-wrap-clients-'));
  const front = `'api-anthropic', 'api-openai',
    ['provider-anthropic', { baseUrl: '${fake.url}', apiKey: 'sk-ant-test', model: 'claude-fake' }],
    ['router-static', { target: 'anthropic:claude-sonnet-4-5' }],
    'stats', 'wrap-claude', 'wrap-codex',`;
  writeFileSync(path.join(project, 'lynkr.config.ts'), `export default { storage: 'memory://', plugins: [${front} ['wrap-copilot', { offline: true }]] };\n`);
  writeFileSync(
    path.join(project, 'openai.config.ts'),
    `export default { storage: 'memory://', plugins: [${front} ['wrap-copilot', { offline: true, providerType: 'openai', model: 'gpt-4.1' }]] };\n`,
  );
});

afterAll(async () => {
  await fake?.close();
  for (const d of [project, ...homes]) if (d) rmSync(d, { recursive: true, force: true });
});

interface WrapRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment a headless tool gets: a fresh HOME, the tools' own bin folder first, no telemetry or updates. */
function toolEnv(): Record<string, string> {
  const home = mkdtempSync(path.join(tmpdir(), 'lynkr-wrap-home-'));
  homes.push(home);
  return {
    HOME: home,
    PATH: [BIN, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
    ANTHROPIC_API_KEY: 'dummy',
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    COPILOT_AUTO_UPDATE: 'false',
    NO_COLOR: '1',
  };
}

/** `lynkr wrap <argv>` as a process; `during` runs once it has started, with the process. */
function runWrap(argv: string[], options: { during?: (child: ReturnType<typeof spawn>) => Promise<void> } = {}): Promise<WrapRun> {
  const child = spawn(process.execPath, ['--import', TSX, RUNNER, ...argv], { cwd: project, env: toolEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += String(c)));
  child.stderr!.on('data', (c) => (stderr += String(c)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
  return (async () => {
    await options.during?.(child);
    const code = await exited;
    return { code, stdout, stderr };
  })();
}

const lastJson = (text: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(text.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/** The summary line for requests, which says whether the turn went through Lynkr. */
const requestsSeen = (stderr: string) => Number(/^ {2}requests {2}(\d+)/m.exec(stderr)?.[1] ?? -1);

describe('lynkr wrap with the real tools', () => {
  it(
    'claude -p completes a turn through Lynkr',
    async () => {
      const run = await runWrap(['claude', '--', '-p', 'say hi', '--output-format', 'json']);
      expect({ code: run.code, json: lastJson(run.stdout) }).toMatchObject({ code: 0, json: { type: 'result', subtype: 'success', is_error: false, result: REPLY } });
      expect(run.stderr).toMatch(/lynkr wrap claude: exited with code 0 after /);
      expect(requestsSeen(run.stderr)).toBeGreaterThanOrEqual(1);
    },
    TIMEOUT,
  );

  it(
    'codex exec completes a turn through Lynkr',
    async () => {
      const run = await runWrap(['codex', '--', 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '--json', 'say hi']);
      // The reply first: when it is missing, the failure shows what the tool printed instead.
      expect(run.stdout).toContain(REPLY);
      expect(run.code).toBe(0);
      expect(requestsSeen(run.stderr)).toBeGreaterThanOrEqual(1);
    },
    TIMEOUT,
  );

  it.each([
    ['anthropic', 'lynkr.config.ts'],
    ['openai', 'openai.config.ts'],
  ])(
    'copilot -p completes a turn through Lynkr (provider type %s)',
    async (_type, config) => {
      const run = await runWrap(['copilot', '--config', config, '--', '-p', 'say hi', '--allow-all-tools']);
      // The reply first: when it is missing, the failure shows what the tool printed instead.
      expect(run.stdout).toContain(REPLY);
      expect(run.code).toBe(0);
      expect(requestsSeen(run.stderr)).toBeGreaterThanOrEqual(1);
    },
    TIMEOUT,
  );

  it(
    'exits with the tool\'s exit code',
    async () => {
      const direct = spawnSync(path.join(BIN, 'claude'), ['--no-such-option'], { env: toolEnv(), encoding: 'utf8' });
      expect(direct.status).not.toBe(0);
      const run = await runWrap(['claude', '--', '--no-such-option']);
      expect(run.code).toBe(direct.status);

      const codexDirect = spawnSync(path.join(BIN, 'codex'), ['exec', '--no-such-option'], { env: toolEnv(), encoding: 'utf8' });
      const codex = await runWrap(['codex', '--', 'exec', '--no-such-option']);
      expect(codex.code).toBe(codexDirect.status);
      expect(codex.code).not.toBe(0);
    },
    TIMEOUT,
  );

  it(
    'passes a SIGTERM sent to Lynkr on to the tool, and exits with 143',
    async () => {
      const before = fake.requests.length;
      const run = await runWrap(['claude', '--', '-p', SLOW, '--output-format', 'json'], {
        async during(child) {
          // Wait until Claude Code's turn is at the upstream: the tool is running and busy.
          const deadline = Date.now() + 120_000;
          while (!fake.requests.slice(before).some((r) => JSON.stringify(r.json ?? '').includes(SLOW))) {
            if (Date.now() > deadline) throw new Error('the slow turn never reached the upstream');
            await new Promise((r) => setTimeout(r, 100));
          }
          child.kill('SIGTERM');
        },
      });
      expect(run.code).toBe(143);
      // Claude Code handles SIGTERM and exits with 143 itself; a tool that does not is ended by the signal (also 143).
      expect(run.stderr).toMatch(/lynkr wrap claude: (exited with code 143|ended by SIGTERM \(exit 143\)) after /);
    },
    TIMEOUT,
  );

  it('has the tools it drives installed', () => {
    for (const tool of ['claude', 'codex', 'copilot']) expect([tool, existsSync(path.join(BIN, tool))]).toEqual([tool, true]);
  });
});
