import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runInThisContext } from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { startFakeOpenAI } from '../../../test/fakes/index.js';
import { loadConfig } from '../../config/load.js';
import { createKernel } from '../../kernel.js';
import { main, type Io } from '../main.js';
import { initCommand } from './index.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function folder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lynkr-init-'));
  dirs.push(dir);
  return dir;
}

function io(cwd: string, env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const handle: Io = { out: (l) => out.push(l), err: (l) => err.push(l), env: { LOG_LEVEL: 'silent', ...env }, cwd, onShutdown: () => undefined };
  return { io: handle, out, err, text: () => [...out, ...err].join('\n') };
}

/** A local "Ollama" that lists two models, and a port nothing listens on. */
let ollama: Server;
let ollamaUrl: string;
let closedUrl: string;
const asked: string[] = [];
beforeAll(async () => {
  ollama = createServer((req, res) => {
    asked.push(req.url ?? '');
    if (req.url === '/api/tags') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ models: [{ name: 'llama3.2:latest' }, { name: 'qwen2.5-coder:7b' }] }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => ollama.listen(0, '127.0.0.1', resolve));
  ollamaUrl = `http://127.0.0.1:${(ollama.address() as AddressInfo).port}`;
  const spare = createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`;
  await new Promise((resolve) => spare.close(resolve));
});
afterAll(() => new Promise((resolve) => ollama.close(resolve)));

/**
 * The environment a config file sees. c12 evaluates it outside jest's
 * sandbox, where `process` is the real one; jest's `process.env` is a copy it
 * never reads. Lynkr's CLI is given this object as its environment, as
 * bin.ts gives it `process.env`, so it fills it from .env as in production.
 */
const realEnv = (runInThisContext('process') as NodeJS.Process).env;
const SECRETS = ['OPENAI_API_KEY', 'OPENROUTER_API_KEY', 'DATABRICKS_API_KEY', 'ANTHROPIC_API_KEY'];
const saved = Object.fromEntries(SECRETS.map((k) => [k, realEnv[k]]));
afterEach(() => {
  for (const k of SECRETS) {
    if (saved[k] === undefined) delete realEnv[k];
    else realEnv[k] = saved[k];
  }
});

/** `lynkr config check` in the folder, as a user runs it next. */
async function configCheck(dir: string): Promise<{ code: number; text: string }> {
  const t = io(dir);
  for (const k of SECRETS) delete realEnv[k];
  const level = realEnv.LOG_LEVEL;
  realEnv.LOG_LEVEL = 'silent';
  try {
    const code = await main(['config', 'check'], { ...t.io, env: realEnv });
    return { code, text: t.text() };
  } finally {
    if (level === undefined) delete realEnv.LOG_LEVEL;
    else realEnv.LOG_LEVEL = level;
  }
}

describe('lynkr init --yes', () => {
  it('writes a subscription config that the loader accepts and that routes hard prompts to Anthropic', async () => {
    const dir = folder();
    const t = io(dir, { OLLAMA_ENDPOINT: closedUrl });
    expect(await main(['init', '--yes', '--mode', 'subscription', '--tier', 'simple=ollama:llama3.2'], t.io)).toBe(0);
    const config = readFileSync(path.join(dir, 'lynkr.config.ts'), 'utf8');
    expect(config).toContain("simple: 'ollama:llama3.2'");
    // The subscription covers the tiers not named.
    expect(config).toContain("complex: 'anthropic:claude-sonnet-4-5'");
    expect(config).toContain("reasoning: 'anthropic:claude-opus-4-5'");
    expect(config).toContain('MEDIUM is not set: it borrows COMPLEX.');
    expect(config).not.toMatch(/apiKey:/);
    expect(config).toContain("['badge', { enabled: true }]");
    expect(t.err.join('\n')).toContain('next: lynkr config check, then lynkr wrap claude');
    expect(t.err.join('\n')).toMatch(/found: Ollama at http:\/\/127\.0\.0\.1:\d+: not running/);

    const check = await configCheck(dir);
    expect(check.text).toContain('config ok: 16 plugin(s)');
    expect(check.code).toBe(0);
    const r = io(dir);
    expect(await main(['route', 'think hard about the design of a lock-free queue and prove it correct'], r.io)).toBe(0);
    expect(r.out[0]).toMatch(/^route: anthropic:claude-opus-4-5 \(tier REASONING/);
  }, 90_000);

  it('writes an API-key config whose secrets go to .env only, which loads and serves with them', async () => {
    const dir = folder();
    const secret = 'sk-live-abcdefghijklmnop0123456789';
    const upstream = await startFakeOpenAI({ apiKey: secret });
    try {
      const t = io(dir, { OPENAI_API_KEY: secret, OLLAMA_ENDPOINT: ollamaUrl });
      const code = await main(
        [
          'init', '--yes', '--env',
          '--tier', 'simple=ollama:llama3.2', '--tier', 'complex=openai:gpt-4o', '--tier', 'reasoning=openai',
          '--openai-endpoint', `${upstream.url}/v1/chat/completions`,
          '--no-badge', '--intent-window', '3', '--intent-decay', '0.5',
        ],
        t.io,
      );
      expect(code).toBe(0);
      const config = readFileSync(path.join(dir, 'lynkr.config.ts'), 'utf8');
      const env = readFileSync(path.join(dir, '.env'), 'utf8');
      expect(config).not.toContain(secret);
      expect(config).toContain(`      openai: {
        baseUrl: '${upstream.url}/v1',
        apiKey: process.env.OPENAI_API_KEY,
        model: 'gpt-4o',
        models: ['gpt-5'],
      },`);
      expect(config).toContain("reasoning: 'openai:gpt-5'");
      expect(config).toContain("['intent-window', { size: 3, decay: 0.5 }]");
      expect(config).toContain("['badge', { enabled: false }]");
      expect(env).toContain(`OPENAI_API_KEY=${secret}`);
      expect(statSync(path.join(dir, '.env')).mode & 0o077).toBe(0);
      // Reported masked, never in clear.
      expect(t.text()).not.toContain(secret);
      expect(t.text()).toContain('OPENAI_API_KEY = sk-…(34 chars) (in .env)');
      // The probe found the fake Ollama and its models.
      expect(t.text()).toContain(`found: Ollama at ${ollamaUrl}: 2 models (llama3.2:latest, qwen2.5-coder:7b)`);

      // Lynkr reads .env into the environment, where the config finds the key.
      const check = await configCheck(dir);
      expect(check).toMatchObject({ code: 0 });
      expect(check.text).not.toContain(secret);

      // And serves: a hard prompt goes to REASONING, on OpenAI, with the key from .env.
      for (const k of SECRETS) delete realEnv[k];
      const kernel = await createKernel(await loadConfig({ cwd: dir, env: realEnv }), { logger: pino({ level: 'silent' }) });
      try {
        const res = await kernel.inject({
          method: 'POST',
          url: '/v1/messages',
          payload: { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'think hard: is this lock-free queue linearizable?' }] },
        });
        expect(res.statusCode).toBe(200);
        expect(res.headers['x-lynkr-tier']).toBe('REASONING');
        expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${secret}`);
        expect((upstream.requests.at(-1)?.json as { model?: string }).model).toBe('gpt-5');
      } finally {
        await kernel.stop();
      }
    } finally {
      await upstream.close();
    }
  }, 90_000);

  it('warns about an Ollama model that is not pulled', async () => {
    const dir = folder();
    const t = io(dir);
    expect(await main(['init', '--yes', '--dry-run', '--tier', 'simple=ollama:mistral', '--ollama-endpoint', ollamaUrl], t.io)).toBe(0);
    expect(t.err).toContain('lynkr init: warning: Ollama has no model "mistral": run `ollama pull mistral`');
    expect(t.out.join('\n')).toContain(`['provider-ollama', { baseUrl: '${ollamaUrl}', model: 'mistral' }]`);
  });

  it('prints the files and writes nothing with --dry-run, secrets masked', async () => {
    const dir = folder();
    const secret = 'sk-or-v1-0123456789abcdef0123456789';
    const t = io(dir, { OLLAMA_ENDPOINT: closedUrl });
    const code = await main(['init', '--yes', '--dry-run', '--env', '--tier', 'medium=openrouter:anthropic/claude-sonnet-4.5', '--openrouter-api-key', secret], t.io);
    expect(code).toBe(0);
    expect(existsSync(path.join(dir, 'lynkr.config.ts'))).toBe(false);
    expect(existsSync(path.join(dir, '.env'))).toBe(false);
    const printed = t.out.join('\n');
    expect(printed).toContain("medium: 'openrouter:anthropic/claude-sonnet-4.5'");
    expect(printed).toContain('OPENROUTER_API_KEY=sk-…(35 chars)');
    expect(t.text()).not.toContain(secret);
  });

  it('refuses to overwrite without --force, and overwrites with it', async () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'lynkr.config.ts'), '// mine\n');
    const t = io(dir, { OLLAMA_ENDPOINT: closedUrl });
    expect(await main(['init', '--yes'], t.io)).toBe(1);
    expect(t.err[0]).toBe('lynkr init: lynkr.config.ts exists: --force overwrites it, --output FILE writes elsewhere, --dry-run only prints');
    expect(readFileSync(path.join(dir, 'lynkr.config.ts'), 'utf8')).toBe('// mine\n');

    // An existing .env is as safe as the config.
    writeFileSync(path.join(dir, '.env'), 'MINE=1\n');
    expect(await main(['init', '--yes', '--output', 'other.config.ts', '--env'], t.io)).toBe(1);
    expect(t.err[1]).toMatch(/^lynkr init: \.env exists/);
    expect(existsSync(path.join(dir, 'other.config.ts'))).toBe(false);

    expect(await main(['init', '--yes', '--force'], t.io)).toBe(0);
    expect(readFileSync(path.join(dir, 'lynkr.config.ts'), 'utf8')).toContain('Written by `lynkr init`');
    expect(readFileSync(path.join(dir, '.env'), 'utf8')).toBe('MINE=1\n');
  });

  it('writes where --output says, and the next steps name it', async () => {
    const dir = folder();
    const t = io(dir, { OLLAMA_ENDPOINT: closedUrl });
    expect(await main(['init', '--yes', '--output', 'conf/team.config.ts', '--tier', 'simple=lmstudio', '--lmstudio-endpoint', closedUrl], t.io)).toBe(0);
    const config = readFileSync(path.join(dir, 'conf', 'team.config.ts'), 'utf8');
    expect(config).toContain(`lmstudio: { baseUrl: '${closedUrl}/v1', model: 'default' }`);
    expect(t.err.join('\n')).toContain('next: lynkr config check --config conf/team.config.ts, then lynkr serve --config conf/team.config.ts');
    const check = io(dir);
    expect(await main(['config', 'check', '--config', 'conf/team.config.ts'], check.io)).toBe(0);
  }, 90_000);

  it.each([
    [['--colour'], /Unknown option '--colour'/],
    [['--tier', 'hard=ollama'], /--tier hard=ollama: expected TIER=PROVIDER\[:MODEL\]/],
    [['--tier', 'simple=nope:x'], /unknown provider "nope"/],
    [['--tier', 'simple=ollama', '--tier', 'simple=openai'], /--tier simple given twice/],
    [['--mode', 'free'], /--mode: expected subscription or api-keys/],
    [['--intent-window', '0'], /--intent-window: expected a whole number of at least 1/],
    [['--intent-decay', '1.5'], /--intent-decay: expected a number in \(0, 1\]/],
    [['--badge', '--no-badge'], /contradict/],
    [['--mode', 'subscription', '--anthropic-api-key', 'sk-ant-x'], /--anthropic-api-key does not apply in subscription mode/],
    [['--tier', 'simple=skip'], /no tier has a provider/],
    [['--tier', 'simple=databricks'], /Databricks needs its workspace URL \(--databricks-endpoint\)/],
    [['--tier', 'simple=ollama', '--ollama-endpoint', 'localhost:11434'], /OLLAMA_ENDPOINT: "localhost:11434" is not an http\(s\) URL/],
    [['extra'], /unexpected "extra"/],
  ])('exits 2 with the usage for %j', async (args, message) => {
    const dir = folder();
    const t = io(dir, { OLLAMA_ENDPOINT: closedUrl });
    expect(await main(['init', '--yes', ...args], t.io)).toBe(2);
    expect(t.err.join('\n')).toMatch(message);
    expect(t.err.join('\n')).toContain('Usage: lynkr init [options]');
    expect(existsSync(path.join(dir, 'lynkr.config.ts'))).toBe(false);
  });

  it('needs a terminal to ask, and says how to do without one', async () => {
    const t = io(folder());
    expect(await initCommand([], t.io, { interactive: false })).toBe(2);
    expect(t.err[0]).toMatch(/the questions need a terminal; without one, use --yes with --tier/);
  });

  it('prints its help, and main lists it', async () => {
    const t = io(folder());
    expect(await main(['init', '--help'], t.io)).toBe(0);
    expect(t.out[0]).toContain('--ollama-endpoint URL');
    expect(t.out[0]).toContain('--openai-api-key KEY');
    expect(await main(['--help'], t.io)).toBe(0);
    expect(t.out[1]).toContain('init             write a lynkr.config.ts');
  });
});
