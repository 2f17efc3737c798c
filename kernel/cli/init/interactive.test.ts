/**
 * The wizard in a real terminal: `lynkr init` runs under `script` (util-linux),
 * which gives it a pseudo-terminal, and the test types into it: arrow keys,
 * Enter, a key into the masked prompt. Skipped where `script` is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

const KEY = { enter: '\r', up: '\x1b[A', down: '\x1b[B' };
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]/g;

/** A running `lynkr init` in a pseudo-terminal: wait for a text, then type. */
function terminal(cwd: string, env: Record<string, string>) {
  const command = [
    'stty cols 120 rows 50;',
    'exec',
    JSON.stringify(process.execPath),
    '--import',
    JSON.stringify(path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')),
    JSON.stringify(path.join(root, 'kernel', 'cli', 'bin.ts')),
    'init',
  ].join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  let seen = 0;
  const waiters: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    screen += chunk.toString('utf8').replace(ANSI, '');
    waiters.splice(0).forEach((w) => w());
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  exited.then(() => waiters.splice(0).forEach((w) => w()));
  let done = false;
  exited.then(() => (done = true));

  return {
    /** Resolve once `text` appears after what was waited for before. */
    async waitFor(text: string): Promise<void> {
      for (;;) {
        const at = screen.indexOf(text, seen);
        if (at !== -1) {
          seen = at + text.length;
          return;
        }
        if (done) throw new Error(`lynkr init exited before showing "${text}". Screen:\n${screen}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    type(keys: string) {
      child.stdin.write(keys);
    },
    exited,
    screen: () => screen,
    kill: () => child.kill('SIGKILL'),
  };
}

let ollama: Server;
let ollamaUrl: string;
let closedUrl: string;
const dirs: string[] = [];
beforeAll(async () => {
  ollama = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url === '/api/tags' ? { models: [{ name: 'llama3.2:latest' }, { name: 'qwen2.5-coder:7b' }] } : {}));
  });
  await new Promise<void>((resolve) => ollama.listen(0, '127.0.0.1', resolve));
  ollamaUrl = `http://127.0.0.1:${(ollama.address() as AddressInfo).port}`;
  const spare = createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`;
  await new Promise((resolve) => spare.close(resolve));
});
afterAll(async () => {
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  await new Promise((resolve) => ollama.close(resolve));
});

describe('lynkr init in a terminal', () => {
  (hasScript ? it : it.skip)(
    'asks with arrow keys and a masked key, offers the Ollama models it found, and writes the config and .env',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'lynkr-init-pty-'));
      dirs.push(dir);
      const secret = 'sk-typed-in-the-terminal-0123456789';
      const t = terminal(dir, {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        TERM: 'xterm-256color',
        // Where the wizard probes: the fake Ollama, and nothing at the others' ports.
        OLLAMA_ENDPOINT: ollamaUrl,
        LLAMACPP_ENDPOINT: closedUrl,
        LMSTUDIO_ENDPOINT: closedUrl,
      });
      try {
        await t.waitFor(`Ollama at ${ollamaUrl}: 2 models (llama3.2:latest, qwen2.5-coder:7b)`);
        await t.waitFor('How will you use Lynkr?');
        t.type(KEY.down + KEY.enter); // API keys → Claude Pro/Max subscription
        await t.waitFor('SIMPLE tier');
        t.type(KEY.enter); // Ollama, preselected
        await t.waitFor('Ollama endpoint');
        t.type(KEY.enter);
        await t.waitFor('SIMPLE model on Ollama');
        t.type(KEY.up + KEY.enter); // from the suggested qwen2.5-coder:7b up to llama3.2:latest
        await t.waitFor('MEDIUM tier');
        t.type(KEY.down.repeat(3) + KEY.enter); // Ollama → llama.cpp → LM Studio → OpenAI
        await t.waitFor('OpenAI API key (OPENAI_API_KEY');
        t.type(`${secret}${KEY.enter}`);
        await t.waitFor('MEDIUM model on OpenAI');
        t.type(KEY.enter);
        for (const tier of ['COMPLEX', 'REASONING']) {
          await t.waitFor(`${tier} tier`);
          t.type(KEY.enter); // Anthropic: the subscription's default
          await t.waitFor(`${tier} model on Anthropic`);
          t.type(KEY.enter);
        }
        await t.waitFor('routing badge');
        t.type(KEY.enter);
        await t.waitFor('Intent window');
        t.type(KEY.enter);
        await t.waitFor('Intent decay');
        t.type(KEY.enter);
        await t.waitFor('Write OPENAI_API_KEY to .env');
        t.type(KEY.enter);
        expect(await t.exited).toBe(0);
      } finally {
        t.kill();
      }

      const screen = t.screen();
      expect(screen).not.toContain(secret);
      expect(screen).toContain('OPENAI_API_KEY = sk-…(35 chars) (in .env)');
      expect(screen).toContain('next: lynkr config check, then lynkr wrap claude');
      const config = readFileSync(path.join(dir, 'lynkr.config.ts'), 'utf8');
      expect(config).toContain('Mode: a Claude Pro/Max subscription');
      expect(config).toContain(`['provider-ollama', { baseUrl: '${ollamaUrl}', model: 'llama3.2:latest' }]`);
      expect(config).toContain('openai: { apiKey: process.env.OPENAI_API_KEY, model: \'gpt-4o\' }');
      expect(config).toContain("simple: 'ollama:llama3.2:latest'");
      expect(config).toContain("medium: 'openai:gpt-4o'");
      expect(config).toContain("complex: 'anthropic:claude-sonnet-4-5'");
      expect(config).toContain("reasoning: 'anthropic:claude-opus-4-5'");
      expect(config).toContain("['badge', { enabled: true }]");
      expect(config).not.toContain(secret);
      expect(readFileSync(path.join(dir, '.env'), 'utf8')).toContain(`OPENAI_API_KEY=${secret}`);
    },
    120_000,
  );
});
