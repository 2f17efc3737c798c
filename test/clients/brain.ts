/**
 * A scripted model for the real-client tests: it answers a greeting with
 * fixed text, asks for the client's shell tool when told to run the marker
 * command, and reports the tool's output once it comes back. It reads both
 * wire formats (OpenAI Chat from the fake OpenAI upstream, Anthropic
 * Messages from the fake Anthropic one), so each client can be tested
 * against an upstream of another format.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AnthropicReply } from '../fakes/anthropic.js';
import type { OpenAIReply } from '../fakes/openai-chat.js';

export const MARKER = 'lynkr-tool-check-7f3a';
export const RUN_PROMPT = 'Please run the marker command with your shell tool.';

type Msg = { role?: string; content?: unknown };

/** The shell tools of the clients, and the arguments that make each print the marker. */
const SHELLS: Record<string, Record<string, unknown>> = {
  Bash: { command: `echo ${MARKER}`, description: 'Print the marker' },
  bash: { command: `echo ${MARKER}`, description: 'Print the marker' },
  exec_command: { cmd: `echo ${MARKER}` },
  shell: { command: ['bash', '-lc', `echo ${MARKER}`] },
};

function toolNames(tools: unknown): string[] {
  return ((tools ?? []) as Array<{ name?: string; function?: { name?: string } }>).map((t) => t.function?.name ?? t.name ?? '');
}

/** Whether a request carries the shell tool's output back (a `tool` message, or a `tool_result` block). */
export function toolOutputSeen(body: unknown): boolean {
  const messages = ((body as { messages?: unknown })?.messages ?? []) as Msg[];
  const openai = messages.filter((m) => m.role === 'tool');
  const anthropic = messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((b: { type?: string }) => b.type === 'tool_result');
  return [...openai, ...anthropic].some((x) => JSON.stringify(x).includes(MARKER));
}

function decide(body: { messages?: unknown; tools?: unknown }, greeting: string): { text: string } | { tool: string; input: Record<string, unknown> } {
  if (toolOutputSeen(body)) return { text: `The command printed ${MARKER}.` };
  const asked = JSON.stringify(body.messages ?? []).includes('run the marker command');
  const shell = toolNames(body.tools).find((n) => n in SHELLS);
  if (asked && shell) return { tool: shell, input: SHELLS[shell]! };
  return { text: greeting };
}

export function openaiBrain(body: Record<string, unknown>): OpenAIReply {
  const d = decide(body, 'Hello from the fake OpenAI upstream.');
  return 'text' in d ? { text: d.text } : { toolCalls: [{ name: d.tool, arguments: JSON.stringify(d.input) }] };
}

export function anthropicBrain(body: { messages?: unknown; tools?: unknown }): AnthropicReply {
  const d = decide(body, 'Hello from the fake Anthropic upstream.');
  return 'text' in d ? { text: d.text } : { toolUses: [{ name: d.tool, input: d.input }] };
}

export const greetingOf = (kind: 'openai' | 'anthropic') => `Hello from the fake ${kind === 'openai' ? 'OpenAI' : 'Anthropic'} upstream.`;

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run a client binary in a throw-away HOME with only the environment given (plus PATH). */
export function runClient(bin: string, args: string[], env: Record<string, string>, setup?: (home: string) => void): Promise<Run> {
  const home = mkdtempSync(path.join(tmpdir(), 'lynkr-client-home-'));
  setup?.(home);
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: home, env: { PATH: process.env.PATH ?? '', HOME: home, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += String(c)));
    child.stderr.on('data', (c) => (stderr += String(c)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      rmSync(home, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Lynkr with every API surface, in front of a fake upstream of the given kind scripted by the brain above. */
export async function startStack(kind: 'openai' | 'anthropic'): Promise<{ baseUrl: string; requests: () => Array<{ json: unknown }>; close(): Promise<void> }> {
  const { startFakeAnthropic, startFakeOpenAI } = await import('../fakes/index.js');
  const { testKernel } = await import('../helpers/kernel.js');
  const fake = kind === 'openai' ? await startFakeOpenAI({ script: openaiBrain }) : await startFakeAnthropic({ script: anthropicBrain });
  const provider: [string, Record<string, unknown>] =
    kind === 'openai'
      ? ['provider-openai-compatible', { openai: { baseUrl: `${fake.url}/v1`, apiKey: 'sk-test', model: 'gpt-fake' } }]
      : ['provider-anthropic', { baseUrl: fake.url, apiKey: 'sk-ant-test', model: 'claude-fake' }];
  const target = kind === 'openai' ? 'openai:gpt-fake' : 'anthropic:claude-fake';
  const kernel = await testKernel({ server: { port: 0 }, plugins: ['api-anthropic', 'api-openai', 'badge-sanitizer', provider, ['router-static', { target }]] });
  const { url } = await kernel.start();
  return {
    baseUrl: url,
    requests: () => fake.requests,
    async close() {
      await kernel.stop();
      await fake.close();
    },
  };
}
