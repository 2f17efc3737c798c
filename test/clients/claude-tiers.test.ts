/**
 * Real Claude Code through Lynkr with four tiers: a greeting goes to SIMPLE,
 * a security audit to REASONING, a tool exchange stays on one model, the
 * routing badge shows in the answer and never goes back upstream.
 *
 * SIMPLE and MEDIUM are models on a fake OpenAI upstream, COMPLEX and
 * REASONING models on a fake Anthropic one; each answers with its own name,
 * so the text Claude Code prints says which model answered.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kernel } from '../../kernel/kernel.js';
import { startFakeAnthropic, startFakeOpenAI, type FakeAnthropic, type FakeOpenAI } from '../fakes/index.js';
import { testKernel } from '../helpers/kernel.js';
import { MARKER, RUN_PROMPT, runClient, toolOutputSeen } from './brain.js';

const CLAUDE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.bin', 'claude');
const TIMEOUT = 120_000;
const AUDIT = 'Think hard and do a security audit of the authentication flow: token storage, secrets handling and session expiry in production.';

type Body = { model?: string; messages?: unknown; tools?: unknown };

/** The shell tool Claude Code offers, if the request has it and the user asked for the marker command. */
function shellCall(body: Body): boolean {
  const asked = JSON.stringify(body.messages ?? []).includes('run the marker command');
  const tools = (body.tools ?? []) as Array<{ name?: string; function?: { name?: string } }>;
  return asked && tools.some((t) => (t.function?.name ?? t.name) === 'Bash');
}

let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
let kernel: Kernel;
let baseUrl: string;

beforeAll(async () => {
  openai = await startFakeOpenAI({
    script: (body) => {
      const b = body as Body;
      if (toolOutputSeen(b)) return { text: `${b.model} saw ${MARKER}.` };
      if (shellCall(b)) return { toolCalls: [{ name: 'Bash', arguments: JSON.stringify({ command: `echo ${MARKER}`, description: 'Print the marker' }) }] };
      return { text: `Answered by ${b.model}.` };
    },
  });
  anthropic = await startFakeAnthropic({
    script: (body) => {
      const b = body as Body;
      if (toolOutputSeen(b)) return { text: `${b.model} saw ${MARKER}.` };
      if (shellCall(b)) return { toolUses: [{ name: 'Bash', input: { command: `echo ${MARKER}`, description: 'Print the marker' } }] };
      return { text: `Answered by ${b.model}.` };
    },
  });
  kernel = await testKernel({
    server: { port: 0 },
    plugins: [
      'api-anthropic',
      'badge-sanitizer',
      ['provider-openai-compatible', { openai: { baseUrl: `${openai.url}/v1`, apiKey: 'sk-test' } }],
      ['provider-anthropic', { baseUrl: anthropic.url, apiKey: 'sk-ant-test' }],
      [
        'router-tiers',
        { simple: 'openai:gpt-simple', medium: 'openai:gpt-medium', complex: 'anthropic:claude-complex', reasoning: 'anthropic:claude-reasoning' },
      ],
      'intent-window',
      ['router-static', { target: 'openai:gpt-simple' }],
      ['badge', { enabled: true }],
    ],
  });
  baseUrl = (await kernel.start()).url;
});
afterAll(async () => {
  await kernel?.stop();
  await openai?.close();
  await anthropic?.close();
});

/** Claude Code in print mode, with every message it handled on stdout (stream-json), so the answers' blocks can be read. */
function claude(prompt: string, extra: string[] = []) {
  return runClient(CLAUDE, ['-p', prompt, '--output-format', 'stream-json', '--verbose', ...extra], {
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: 'dummy',
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  });
}

/** Every text block of the assistant messages Claude Code received, in order: what its user sees. */
function shown(stdout: string): string {
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { type?: string; message?: { content?: Array<{ type: string; text?: string }> } });
  return lines
    .filter((l) => l.type === 'assistant')
    .flatMap((l) => l.message?.content ?? [])
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('\n');
}

/** Every request body the upstreams received, both fakes. */
const allBodies = () => [...openai.requests, ...anthropic.requests].map((r) => r.body);

describe('Claude Code through Lynkr with four tiers', () => {
  it(
    'sends a greeting to SIMPLE and shows the badge',
    async () => {
      const run = await claude('hi there!');
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      const text = shown(run.stdout);
      expect(text).toContain('[Lynkr] SIMPLE → gpt-simple (openai)');
      expect(text).toContain('Answered by gpt-simple.');
    },
    TIMEOUT,
  );

  it(
    'sends a security audit to REASONING',
    async () => {
      const run = await claude(AUDIT);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      const text = shown(run.stdout);
      expect(text).toContain('[Lynkr] REASONING → claude-reasoning (anthropic)');
      expect(text).toContain('Answered by claude-reasoning.');
    },
    TIMEOUT,
  );

  it(
    'keeps a tool exchange on one model and never sends the badge back upstream',
    async () => {
      const [o, a] = [openai.requests.length, anthropic.requests.length];
      const run = await claude(RUN_PROMPT, ['--allowedTools', 'Bash']);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      const text = shown(run.stdout);
      expect(text).toContain(`saw ${MARKER}.`);
      // The requests of the exchange: the one that asked for the tool and the one that carried its output back.
      const exchange = [...openai.requests.slice(o), ...anthropic.requests.slice(a)]
        .map((r) => r.json as Body)
        .filter((b) => shellCall(b) || toolOutputSeen(b));
      expect(exchange.length).toBeGreaterThanOrEqual(2);
      expect(new Set(exchange.map((b) => b.model)).size).toBe(1);
      // The answer that asked for the tool carried a badge; the history sent back must not.
      for (const body of allBodies()) expect(body).not.toContain('[Lynkr]');
    },
    TIMEOUT,
  );
});
