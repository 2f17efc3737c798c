/**
 * Real Claude Code, headless, through Lynkr to the fake upstreams: a text
 * turn and a Bash tool round trip, once answered by an OpenAI-style model and
 * once by an Anthropic-style one.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kernel } from '../../kernel/index.js';
import type { PluginEntry } from '../../kernel/config/schema.js';
import { startFakeAnthropic, startFakeOpenAI, type FakeAnthropic, type FakeOpenAI } from '../fakes/index.js';
import { testKernel } from '../helpers/kernel.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLAUDE = path.join(root, 'node_modules', '.bin', 'claude');
const MARKER = 'lynkr-tool-check-7f3a';
const TIMEOUT = 120_000;

interface ClaudeResult {
  code: number | null;
  json: { type?: string; subtype?: string; result?: string; is_error?: boolean } | undefined;
  stdout: string;
  stderr: string;
}

function runClaude(baseUrl: string, prompt: string, extra: string[] = []): Promise<ClaudeResult> {
  const home = mkdtempSync(path.join(tmpdir(), 'lynkr-claude-home-'));
  return new Promise((resolve, reject) => {
    const child = spawn(CLAUDE, ['-p', prompt, '--output-format', 'json', ...extra], {
      cwd: home,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        ANTHROPIC_BASE_URL: baseUrl,
        ANTHROPIC_API_KEY: 'dummy',
        DISABLE_TELEMETRY: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += String(c)));
    child.stderr.on('data', (c) => (stderr += String(c)));
    child.on('error', reject);
    child.on('close', (code) => {
      rmSync(home, { recursive: true, force: true });
      let json;
      try {
        json = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
      } catch {
        json = undefined;
      }
      resolve({ code, json, stdout, stderr });
    });
  });
}

type AnyMessage = { role?: string; content?: unknown; tool_calls?: unknown };
const hasTool = (body: Record<string, unknown>, name: string) => Array.isArray(body.tools) && JSON.stringify(body.tools).includes(`"${name}"`);
const mentions = (messages: unknown, text: string) => JSON.stringify(messages ?? []).includes(text);

/** Whether a request carries the Bash tool's output back (a `tool` message, or a `tool_result` block). */
function toolOutputSeen(body: unknown): boolean {
  const messages = ((body as { messages?: unknown })?.messages ?? []) as AnyMessage[];
  const openai = messages.filter((m) => m.role === 'tool');
  const anthropic = messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((b: { type?: string }) => b.type === 'tool_result');
  return [...openai, ...anthropic].some((x) => JSON.stringify(x).includes(MARKER));
}

/** The OpenAI-style model: asks for Bash when told to, then reports what the tool printed. */
function openaiBrain(body: Record<string, unknown>) {
  const messages = (body.messages ?? []) as AnyMessage[];
  if (toolOutputSeen(body)) return { text: `The command printed ${MARKER}.` };
  if (hasTool(body, 'Bash') && mentions(messages, 'run the marker command')) {
    return { toolCalls: [{ name: 'Bash', arguments: JSON.stringify({ command: `echo ${MARKER}`, description: 'Print the marker' }) }] };
  }
  return { text: 'Hello from the fake OpenAI upstream.' };
}

/** The Anthropic-style model: the same, in Anthropic's blocks. */
function anthropicBrain(body: { messages?: unknown; tools?: unknown }) {
  const messages = (body.messages ?? []) as AnyMessage[];
  if (toolOutputSeen(body)) return { text: `The command printed ${MARKER}.` };
  if (hasTool(body as Record<string, unknown>, 'Bash') && mentions(messages, 'run the marker command')) {
    return { toolUses: [{ name: 'Bash', input: { command: `echo ${MARKER}`, description: 'Print the marker' } }] };
  }
  return { text: 'Hello from the fake Anthropic upstream.' };
}

describe.each([
  ['an OpenAI-style upstream', 'openai'],
  ['an Anthropic-style upstream', 'anthropic'],
] as const)('Claude Code through Lynkr to %s', (_label, kind) => {
  let fake: FakeOpenAI | FakeAnthropic;
  let kernel: Kernel;
  let baseUrl: string;

  beforeAll(async () => {
    fake = kind === 'openai' ? await startFakeOpenAI({ script: openaiBrain }) : await startFakeAnthropic({ script: anthropicBrain });
    const provider: PluginEntry =
      kind === 'openai'
        ? ['provider-openai-compatible', { openai: { baseUrl: `${fake.url}/v1`, apiKey: 'sk-test', model: 'gpt-fake' } }]
        : ['provider-anthropic', { baseUrl: fake.url, apiKey: 'sk-ant-test', model: 'claude-fake' }];
    kernel = await testKernel({ server: { port: 0 }, plugins: ['api-anthropic', provider, ['router-static', { target: kind === 'openai' ? 'openai:gpt-fake' : 'anthropic:claude-fake' }]] });
    baseUrl = (await kernel.start()).url;
  });

  afterAll(async () => {
    await kernel?.stop();
    await fake?.close();
  });

  it(
    'answers a text turn',
    async () => {
      const run = await runClaude(baseUrl, 'say hi');
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.json).toMatchObject({ type: 'result', subtype: 'success', is_error: false, result: `Hello from the fake ${kind === 'openai' ? 'OpenAI' : 'Anthropic'} upstream.` });
      const main = fake.requests.find((r) => r.method === 'POST' && hasTool((r.json ?? {}) as Record<string, unknown>, 'Bash'));
      expect(main).toBeDefined();
    },
    TIMEOUT,
  );

  it(
    'runs a Bash tool round trip',
    async () => {
      const before = fake.requests.length;
      const run = await runClaude(baseUrl, `Please run the marker command with the Bash tool.`, ['--allowedTools', 'Bash']);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.json).toMatchObject({ subtype: 'success', result: `The command printed ${MARKER}.` });
      // The tool really ran on this machine: its output came back to the upstream in the next request.
      expect(fake.requests.slice(before).some((r) => toolOutputSeen(r.json))).toBe(true);
    },
    TIMEOUT,
  );
});
