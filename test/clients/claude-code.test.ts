/**
 * Real Claude Code, headless, through Lynkr to the fake upstreams: a text
 * turn and a Bash tool round trip, once answered by an OpenAI-style model and
 * once by an Anthropic-style one.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { greetingOf, MARKER, RUN_PROMPT, runClient, startStack, toolOutputSeen } from './brain.js';

const CLAUDE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.bin', 'claude');
const TIMEOUT = 120_000;

function claude(baseUrl: string, prompt: string, extra: string[] = []) {
  return runClient(CLAUDE, ['-p', prompt, '--output-format', 'json', ...extra], {
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: 'dummy',
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  });
}

const result = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { type?: string; subtype?: string; result?: string; is_error?: boolean };

describe.each(['openai', 'anthropic'] as const)('Claude Code through Lynkr to a fake %s upstream', (kind) => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  beforeAll(async () => {
    stack = await startStack(kind);
  });
  afterAll(() => stack?.close());

  it(
    'answers a text turn',
    async () => {
      const run = await claude(stack.baseUrl, 'say hi');
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result(run.stdout)).toMatchObject({ type: 'result', subtype: 'success', is_error: false, result: greetingOf(kind) });
    },
    TIMEOUT,
  );

  it(
    'runs a Bash tool round trip',
    async () => {
      const before = stack.requests().length;
      const run = await claude(stack.baseUrl, RUN_PROMPT, ['--allowedTools', 'Bash']);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result(run.stdout)).toMatchObject({ subtype: 'success', result: `The command printed ${MARKER}.` });
      // The tool really ran on this machine: its output came back to the upstream in a later request.
      expect(stack.requests().slice(before).some((r) => toolOutputSeen(r.json))).toBe(true);
    },
    TIMEOUT,
  );
});
