/**
 * `lynkr wrap`, in process, with stand-in executables that record what
 * they were given (test/wrap/stand-in.ts): each target's environment and
 * arguments, exit codes, the summary, logs, keys, ports and the errors.
 * Signals need a process of their own: test/wrap/signals.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeAnthropic, type FakeAnthropic } from '../../test/fakes/index.js';
import { readRecord, writeStandIn, type StandInRecord } from '../../test/wrap/stand-in.js';
import type { Io } from './main.js';
import { formatCount, formatDuration, formatSummary, wrapCommand } from './wrap.js';

let fake: FakeAnthropic;
const dirs: string[] = [];
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await fake?.close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

/** The front door, a provider on the fake upstream, a router, then `plugins`. */
function upstream(): string {
  return `'api-anthropic',
    ['provider-anthropic', { baseUrl: '${fake.url}', apiKey: 'sk-ant-test', model: 'claude-fake' }],
    ['router-static', { target: 'anthropic:claude-sonnet-4-5' }],`;
}

const ALL_TARGETS = `'wrap-claude', 'wrap-codex', 'wrap-copilot', 'wrap-aider', 'wrap-cursor',`;

/** A project folder with a lynkr.config.ts, a bin/ folder for stand-ins, and a folder npm would use as its global prefix. */
function project(plugins: string, extra = '', head = ''): { dir: string; bin: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'lynkr-wrap-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'npm', 'bin'), { recursive: true });
  writeFileSync(path.join(dir, 'lynkr.config.ts'), `${head}\nexport default { storage: 'memory://', plugins: [${plugins}], ${extra} };\n`);
  return { dir, bin: path.join(dir, 'bin') };
}

interface Run {
  code: number;
  out: string[];
  err: string[];
  record: StandInRecord | undefined;
}

/** Run `lynkr wrap <argv>` from `dir` with an environment that finds nothing but the project's stand-ins. */
async function wrap(p: { dir: string; bin: string }, argv: string[], env: Record<string, string> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const recordFile = path.join(p.dir, `record-${Math.random().toString(36).slice(2)}.json`);
  const io: Io = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: { PATH: p.bin, HOME: p.dir, npm_config_global_prefix: path.join(p.dir, 'npm'), STANDIN_RECORD: recordFile, ...env },
    cwd: p.dir,
    onShutdown: () => undefined,
  };
  const code = await wrapCommand(argv, io);
  return { code, out, err, record: readRecord(recordFile) };
}

const BASE = /^http:\/\/127\.0\.0\.1:(\d+)$/;
const baseOf = (r: Run, variable: string) => {
  const value = r.record?.env[variable];
  expect(value).toMatch(variable.includes('ANTHROPIC') || variable === 'COPILOT_PROVIDER_BASE_URL' ? /^http:\/\/127\.0\.0\.1:\d+(\/v1)?$/ : /./);
  return value!;
};

describe('lynkr wrap: each target\'s environment and arguments', () => {
  let p: { dir: string; bin: string };
  beforeAll(() => {
    p = project(`${upstream()} ${ALL_TARGETS}`);
    for (const name of ['claude', 'codex', 'copilot', 'aider', 'cursor-agent']) writeStandIn(p.bin, name);
  });

  it('claude: ANTHROPIC_BASE_URL without /v1, no key of its own, arguments verbatim', async () => {
    const r = await wrap(p, ['claude', '--', '-p', 'say "hi" $HOME', '--output-format', 'json']);
    expect(r.code).toBe(0);
    expect(r.record!.argv).toEqual(['-p', 'say "hi" $HOME', '--output-format', 'json']);
    expect(r.record!.env.ANTHROPIC_BASE_URL).toMatch(BASE);
    // A Pro/Max login must keep working: nothing that would replace it is set.
    expect(Object.keys(r.record!.env).sort()).toEqual(['ANTHROPIC_BASE_URL']);
  });

  it('claude: keeps the caller\'s own credentials as they are', async () => {
    const r = await wrap(p, ['claude'], { ANTHROPIC_API_KEY: 'sk-ant-user', ANTHROPIC_AUTH_TOKEN: 'tok' });
    expect(r.record!.env).toMatchObject({ ANTHROPIC_API_KEY: 'sk-ant-user', ANTHROPIC_AUTH_TOKEN: 'tok' });
    expect(r.record!.argv).toEqual([]);
  });

  it('codex: a "lynkr" Responses provider through -c overrides before the arguments, and its key variable', async () => {
    const r = await wrap(p, ['codex', '--', 'exec', '--skip-git-repo-check', 'say hi']);
    expect(r.code).toBe(0);
    const url = r.record!.argv[5]!.match(/^model_providers\.lynkr\.base_url="(http:\/\/127\.0\.0\.1:\d+)\/v1"$/)?.[1];
    expect(url).toMatch(BASE);
    expect(r.record!.argv).toEqual([
      '-c', 'model_provider="lynkr"',
      '-c', 'model_providers.lynkr.name="Lynkr"',
      '-c', `model_providers.lynkr.base_url="${url}/v1"`,
      '-c', 'model_providers.lynkr.env_key="LYNKR_API_KEY"',
      '-c', 'model_providers.lynkr.wire_api="responses"',
      'exec', '--skip-git-repo-check', 'say hi',
    ]);
    expect(r.record!.env).toEqual({ LYNKR_API_KEY: 'lynkr-local' });
  });

  it('copilot (default): the Anthropic provider type at the base URL without /v1, and a model it knows', async () => {
    const r = await wrap(p, ['copilot', '--', '-p', 'say hi', '--allow-all-tools']);
    expect(r.code).toBe(0);
    expect(r.record!.argv).toEqual(['-p', 'say hi', '--allow-all-tools']);
    expect(r.record!.env).toEqual({
      COPILOT_PROVIDER_TYPE: 'anthropic',
      COPILOT_PROVIDER_BASE_URL: expect.stringMatching(BASE),
      COPILOT_PROVIDER_API_KEY: 'lynkr-local',
      // Copilot refuses a custom provider without a model.
      COPILOT_MODEL: 'claude-sonnet-4.5',
    });
    const own = await wrap(p, ['copilot', '--', '--model', 'claude-haiku-4.5']);
    expect(own.record!.env.COPILOT_MODEL).toBeUndefined();
  });

  it('copilot: the caller\'s COPILOT_MODEL is kept, and a key meant for another provider is blanked', async () => {
    const r = await wrap(p, ['copilot'], { COPILOT_MODEL: 'claude-sonnet-4.5', COPILOT_PROVIDER_BEARER_TOKEN: 'other-provider-token' });
    expect(r.record!.env).toMatchObject({ COPILOT_MODEL: 'claude-sonnet-4.5', COPILOT_PROVIDER_BEARER_TOKEN: '' });
  });

  it('aider: the OpenAI and Anthropic bases and keys litellm reads, arguments verbatim', async () => {
    const r = await wrap(p, ['aider', '--', '--model', 'openai/gpt-4.1', '--yes']);
    expect(r.code).toBe(0);
    expect(r.record!.argv).toEqual(['--model', 'openai/gpt-4.1', '--yes']);
    const base = baseOf(r, 'ANTHROPIC_API_BASE');
    expect(r.record!.env).toEqual({
      OPENAI_API_BASE: `${base}/v1`,
      OPENAI_BASE_URL: `${base}/v1`,
      OPENAI_API_KEY: 'lynkr-local',
      ANTHROPIC_API_BASE: base,
      ANTHROPIC_BASE_URL: base,
      ANTHROPIC_API_KEY: 'lynkr-local',
    });
  });

  it('cursor: the agent CLI when installed, with the base URL variables and a notice of what does not go through Lynkr', async () => {
    writeStandIn(p.bin, 'cursor');
    const r = await wrap(p, ['cursor', '--', '-p', 'fix it']);
    expect(r.code).toBe(0);
    expect(r.record!.name).toBe('cursor-agent');
    expect(r.record!.argv).toEqual(['-p', 'fix it']);
    const base = baseOf(r, 'ANTHROPIC_BASE_URL');
    expect(r.record!.env).toEqual({ OPENAI_BASE_URL: `${base}/v1`, OPENAI_API_BASE: `${base}/v1`, ANTHROPIC_BASE_URL: base });
    expect(r.err).toContainEqual(expect.stringMatching(/^lynkr: cursor-agent sends its own model calls to Cursor's servers/));
  });

  it('exits with the tool\'s exit code', async () => {
    expect((await wrap(p, ['claude'], { STANDIN_EXIT: '7' })).code).toBe(7);
    expect((await wrap(p, ['codex', '--', 'exec', 'x'], { STANDIN_EXIT: '1' })).code).toBe(1);
  });

  it('keeps what Lynkr reads from .env out of the tool\'s environment', async () => {
    writeFileSync(path.join(p.dir, '.env'), 'ANTHROPIC_API_KEY=sk-ant-upstream-secret\nLYNKR_WRAP_SHOW_STATS=false\n');
    try {
      const r = await wrap(p, ['claude']);
      expect(r.record!.env.ANTHROPIC_API_KEY).toBeUndefined();
      // ...while Lynkr itself honours it.
      expect(r.err).toHaveLength(1);
    } finally {
      rmSync(path.join(p.dir, '.env'));
    }
  });
});

describe('lynkr wrap: target options', () => {
  it('copilot: openai provider type at /v1, model, wire API and offline', async () => {
    const p = project(`${upstream()} ['wrap-copilot', { providerType: 'openai', model: 'gpt-4.1', wireApi: 'responses', offline: true }]`);
    writeStandIn(p.bin, 'copilot');
    const r = await wrap(p, ['copilot', '--', '-p', 'hi']);
    expect(r.record!.env).toEqual({
      COPILOT_PROVIDER_TYPE: 'openai',
      COPILOT_PROVIDER_BASE_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/v1$/),
      COPILOT_PROVIDER_API_KEY: 'lynkr-local',
      COPILOT_MODEL: 'gpt-4.1',
      COPILOT_PROVIDER_WIRE_API: 'responses',
      COPILOT_OFFLINE: 'true',
    });
  });

  it('codex: model; aider: model unless the arguments choose one', async () => {
    const p = project(`${upstream()} ['wrap-codex', { model: 'gpt-5-codex' }], ['wrap-aider', { model: 'anthropic/claude-sonnet-4-5' }]`);
    writeStandIn(p.bin, 'codex');
    writeStandIn(p.bin, 'aider');
    expect((await wrap(p, ['codex', '--', 'exec', 'hi'])).record!.argv.slice(-4)).toEqual(['-c', 'model="gpt-5-codex"', 'exec', 'hi']);
    expect((await wrap(p, ['aider', '--', '--yes'])).record!.argv).toEqual(['--model', 'anthropic/claude-sonnet-4-5', '--yes']);
    expect((await wrap(p, ['aider', '--', '--model=openai/x'])).record!.argv).toEqual(['--model=openai/x']);
  });

  it('cursor: the editor when there is no agent CLI, kept in the foreground with --wait', async () => {
    const p = project(`${upstream()} 'wrap-cursor'`);
    writeStandIn(p.bin, 'cursor');
    const r = await wrap(p, ['cursor', '--', '.']);
    expect(r.record!.name).toBe('cursor');
    expect(r.record!.argv).toEqual(['--wait', '.']);
    expect(r.err).toContainEqual(expect.stringMatching(/^lynkr: Cursor's own AI features are called from Cursor's servers/));
    expect((await wrap(p, ['cursor', '--', '-w', 'a.ts'])).record!.argv).toEqual(['-w', 'a.ts']);
  });

  it('finds the tool through the plugin\'s bin option, and LYNKR_WRAP_<TARGET>_BIN over it', async () => {
    const p = project(`${upstream()} ['wrap-claude', { bin: './tools/claude-from-config' }]`);
    writeStandIn(path.join(p.dir, 'tools'), 'claude-from-config');
    writeStandIn(path.join(p.dir, 'tools'), 'claude-from-env');
    expect((await wrap(p, ['claude'])).record!.name).toBe('claude-from-config');
    const r = await wrap(p, ['claude'], { LYNKR_WRAP_CLAUDE_BIN: path.join(p.dir, 'tools', 'claude-from-env') });
    expect(r.record!.name).toBe('claude-from-env');
    expect(r.err[0]).toContain(`(${path.join(p.dir, 'tools', 'claude-from-env')})`);
  });
});

describe('lynkr wrap: the summary, logs and shutdown', () => {
  it('prints duration, requests, tokens, cost and the saving versus the baseline, from its own stats', async () => {
    const p = project(`${upstream()} ['stats', { baseline: 'anthropic:claude-opus-4-1' }], 'wrap-claude'`);
    writeStandIn(p.bin, 'claude');
    const r = await wrap(p, ['claude'], { STANDIN_ASK: 'anthropic' });
    expect(r.record!.answer).toMatchObject({ status: 200, body: { type: 'message' } });
    const [start, ...summary] = r.err;
    expect(start).toMatch(/^lynkr: claude \(.+\/bin\/claude\) → Lynkr at http:\/\/127\.0\.0\.1:\d+ · logs: \.lynkr\/logs\/wrap-claude-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.log$/);
    // The fake answers with 10 input and 5 output tokens; Sonnet 4.5 is $3/$15, Opus 4.1 $15/$75 per million.
    expect(summary).toEqual([
      expect.stringMatching(/^lynkr wrap claude: exited with code 0 after \d+\.\ds$/),
      '  requests  1',
      '  tokens    in 10 · out 5',
      '  cost      ~$0.0001 · all on anthropic:claude-opus-4-1: ~$0.0005 · saved ~$0.0004 (80%)',
      expect.stringMatching(/^ {2}logs {6}\.lynkr\/logs\/wrap-claude-.+\.log$/),
    ]);
    expect(r.out).toEqual([]);
  });

  it('prints only the duration without the stats plugin, and nothing with LYNKR_WRAP_SHOW_STATS=false', async () => {
    const p = project(`${upstream()} 'wrap-claude'`);
    writeStandIn(p.bin, 'claude');
    const r = await wrap(p, ['claude'], { STANDIN_ASK: 'anthropic', STANDIN_EXIT: '3' });
    expect(r.err.slice(1)).toEqual([expect.stringMatching(/^lynkr wrap claude: exited with code 3 after /), expect.stringMatching(/^ {2}logs /)]);
    const quiet = await wrap(p, ['claude'], { LYNKR_WRAP_SHOW_STATS: 'false' });
    expect(quiet.err).toHaveLength(1);
  });

  it('writes Lynkr\'s logs to .lynkr/logs, or to stderr when LOG_LEVEL is set, never to stdout', async () => {
    const p = project(`${upstream()} 'wrap-claude'`);
    writeStandIn(p.bin, 'claude');
    const r = await wrap(p, ['claude'], { LYNKR_WRAP_SHOW_STATS: 'false' });
    const logs = readdirSync(path.join(p.dir, '.lynkr', 'logs'));
    expect(logs).toEqual([expect.stringMatching(/^wrap-claude-.+\.log$/)]);
    const text = readFileSync(path.join(p.dir, '.lynkr', 'logs', logs[0]!), 'utf8');
    expect(text).toContain('"msg":"claude exited"');
    expect(r.out).toEqual([]);

    rmSync(path.join(p.dir, '.lynkr'), { recursive: true });
    const loud = await wrap(p, ['claude'], { LOG_LEVEL: 'info', LYNKR_WRAP_SHOW_STATS: 'false' });
    expect(loud.err.some((l) => l.includes('"msg":"Lynkr listening on'))).toBe(true);
    expect(loud.out).toEqual([]);
    expect(existsSync(path.join(p.dir, '.lynkr'))).toBe(false);
  });

  it('listens on a free port, not PORT (never another Lynkr), or on --port; and stops listening when the tool exits', async () => {
    const p = project(`${upstream()} 'wrap-claude'`);
    writeStandIn(p.bin, 'claude');
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const taken = (busy.address() as net.AddressInfo).port;
    try {
      const r = await wrap(p, ['claude'], { PORT: String(taken) });
      expect(r.code).toBe(0);
      const port = Number(BASE.exec(r.record!.env.ANTHROPIC_BASE_URL!)![1]);
      expect(port).not.toBe(taken);
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();

      const clash = await wrap(p, ['claude', '--port', String(taken)]);
      expect(clash.code).toBe(1);
      expect(clash.err[0]).toMatch(new RegExp(`^lynkr wrap: port ${taken} on 127\\.0\\.0\\.1 is in use.*\\[LYNKR_ERR_SERVER_PORT_IN_USE\\]$`));
      expect(clash.record).toBeUndefined();
    } finally {
      busy.close();
    }
    const free = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const r = await wrap(p, ['claude', '--port', String(free)]);
    expect(r.record!.env.ANTHROPIC_BASE_URL).toBe(`http://127.0.0.1:${free}`);
  });

  it('gives the tool a Lynkr key when Lynkr requires one, and reads its stats with it', async () => {
    const p = project(`${upstream()} 'stats', 'wrap-claude', 'wrap-codex'`, `keys: ['lk-wrap-test-0001']`);
    writeStandIn(p.bin, 'claude');
    writeStandIn(p.bin, 'codex');
    const r = await wrap(p, ['claude'], { STANDIN_ASK: 'anthropic', ANTHROPIC_CUSTOM_HEADERS: 'x-team: a\nx-lynkr-key: stale' });
    expect(r.record!.env.ANTHROPIC_CUSTOM_HEADERS).toBe('x-team: a\nx-lynkr-key: lk-wrap-test-0001');
    expect(r.record!.answer!.status).toBe(200);
    expect(r.err).toContain('  requests  1');
    expect((await wrap(p, ['codex'])).record!.env.LYNKR_API_KEY).toBe('lk-wrap-test-0001');

    const wrong = await wrap(p, ['claude'], { LYNKR_API_KEY: 'lk-not-configured' });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toEqual(['lynkr wrap: LYNKR_API_KEY is not one of the keys in the config, so Lynkr would refuse the tool\'s requests.']);
  });
});

describe('lynkr wrap: errors', () => {
  it('exits 2 with the install hint when the tool is missing', async () => {
    const ghost = `import { definePlugin } from 'lynkr';
const ghost = definePlugin({ name: 'wrap-ghost', version: '1.0.0', kernel: '^1', setup(ctx) {
  ctx.wrap.register({ name: 'ghost', binaries: ['lynkr-test-ghost-tool'], install: 'npm install -g ghost-tool', prepare: ({ args }) => ({ env: {}, args: [...args] }) });
} });`;
    const p = project('ghost', '', ghost);
    const r = await wrap(p, ['ghost', '--', 'x']);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/^lynkr wrap: ghost is not installed \(looked in PATH, the npm global bin \(.+\), .*~?.*\)\.$/);
    expect(r.err.slice(1)).toEqual([
      'Install it: npm install -g ghost-tool',
      'Or name its executable: LYNKR_WRAP_GHOST_BIN=/path/to/lynkr-test-ghost-tool (or the plugin\'s "bin" option).',
    ]);
  });

  it('exits 2 when the named executable does not exist, rather than running another', async () => {
    const p = project(`${upstream()} 'wrap-claude'`);
    writeStandIn(p.bin, 'claude');
    const r = await wrap(p, ['claude'], { LYNKR_WRAP_CLAUDE_BIN: '/nonexistent/claude' });
    expect(r.code).toBe(2);
    expect(r.record).toBeUndefined();
    expect(r.err[0]).toBe('lynkr wrap: LYNKR_WRAP_CLAUDE_BIN is "/nonexistent/claude", which is not an executable file.');
    expect(r.err[1]).toBe('Install it: npm install -g @anthropic-ai/claude-code (or the native installer: curl -fsSL https://claude.ai/install.sh | bash)');
  });

  it('exits 1 for an unknown target, naming those available', async () => {
    const p = project(`${upstream()} 'wrap-claude', 'wrap-codex'`);
    const r = await wrap(p, ['vim']);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      'lynkr wrap: unknown target "vim" (available: claude, codex). Targets come from plugins: add "wrap-vim" to the config\'s plugins if it exists.',
    ]);
  });

  it('exits 2 on a usage error, and 0 for --help', async () => {
    const p = project(`${upstream()} 'wrap-claude'`);
    const none = await wrap(p, []);
    expect(none.code).toBe(2);
    expect(none.err[0]).toMatch(/^lynkr wrap: wrap needs a target/);
    const flag = await wrap(p, ['claude', '-p', 'hi']);
    expect(flag.code).toBe(2);
    expect(flag.err[0]).toMatch(/^lynkr wrap: Unknown option '-p': the tool's own arguments go after --, as in lynkr wrap claude -- -p "hi"/);
    const extra = await wrap(p, ['claude', 'hello']);
    expect(extra.err[0]).toMatch(/^lynkr wrap: unexpected "hello": the tool's own arguments go after --, as in lynkr wrap claude -- hello/);
    expect((await wrap(p, ['claude', '--port', 'x'])).code).toBe(2);
    const help = await wrap(p, ['--help']);
    expect(help.code).toBe(0);
    expect(help.out[0]).toMatch(/^Usage: lynkr wrap <target>/);
  });
});

describe('summary formatting', () => {
  it('formats durations and counts', () => {
    expect([formatDuration(420), formatDuration(59_940), formatDuration(192_000), formatDuration(7_500_000)]).toEqual(['0.4s', '59.9s', '3m 12s', '2h 05m']);
    expect([formatCount(999), formatCount(45_210), formatCount(3_400_000)]).toEqual(['999', '45.2k', '3.4M']);
  });

  it('reports a signal, cache hits, fallbacks, errors, tiers and unpriced models', () => {
    const lines = formatSummary(
      'codex',
      { exitCode: 143, signal: 'SIGTERM', durationMs: 61_000 },
      {
        requests: 12,
        errors: 1,
        aborted: 0,
        cacheHits: 2,
        fallbacks: 1,
        tokens: { input: 15_000, output: 3_400, cacheRead: 30_100, cacheWrite: 100 },
        tiers: { SIMPLE: 7, COMPLEX: 3 },
        cost: { currency: 'USD', estimated: 0.0421, unpriced: ['openrouter:x/y'], baseline: { model: 'anthropic:claude-opus-4-1', cost: 0.183 }, saving: 0.1409 },
      },
    );
    expect(lines).toEqual([
      'lynkr wrap codex: ended by SIGTERM (exit 143) after 1m 01s',
      '  requests  12 (2 cache hits, 1 fallback, 1 error)',
      '  tokens    in 45.2k (30.1k cached) · out 3.4k',
      '  tiers     SIMPLE 7 · COMPLEX 3',
      '  cost      ~$0.04 · all on anthropic:claude-opus-4-1: ~$0.18 · saved ~$0.14 (77%)',
      '  unpriced  openrouter:x/y (counted as free)',
    ]);
    expect(formatSummary('aider', { exitCode: 1, error: 'spawn EACCES', durationMs: 5 }, undefined)).toEqual(['lynkr wrap aider: could not start (spawn EACCES) after 0.0s']);
  });
});
