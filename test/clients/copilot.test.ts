/**
 * Real Copilot CLI, headless and offline, through Lynkr to the fake
 * Anthropic upstream: a text turn and a `bash` tool round trip, over Chat
 * Completions (Copilot's default) and over Anthropic Messages.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { greetingOf, MARKER, RUN_PROMPT, runClient, startStack, toolOutputSeen } from './brain.js';

const COPILOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.bin', 'copilot');
const TIMEOUT = 120_000;

function copilot(baseUrl: string, wire: 'openai' | 'anthropic', prompt: string) {
  return runClient(COPILOT, ['-p', prompt, '--allow-all-tools'], {
    COPILOT_OFFLINE: 'true',
    // Copilot's Anthropic mode appends /v1/messages itself; its OpenAI mode wants the /v1 base.
    COPILOT_PROVIDER_BASE_URL: wire === 'anthropic' ? baseUrl : `${baseUrl}/v1`,
    COPILOT_PROVIDER_TYPE: wire,
    COPILOT_PROVIDER_API_KEY: 'dummy',
    COPILOT_MODEL: 'claude-fake',
  });
}

describe('Copilot CLI through Lynkr to a fake Anthropic upstream', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  beforeAll(async () => {
    stack = await startStack('anthropic');
  });
  afterAll(() => stack?.close());

  describe.each(['openai', 'anthropic'] as const)('speaking %s to Lynkr', (wire) => {
    it(
      'answers a text turn',
      async () => {
        const run = await copilot(stack.baseUrl, wire, 'say hi');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(greetingOf('anthropic'));
      },
      TIMEOUT,
    );

    it(
      'runs a bash tool round trip',
      async () => {
        const before = stack.requests().length;
        const run = await copilot(stack.baseUrl, wire, RUN_PROMPT);
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(`The command printed ${MARKER}.`);
        expect(stack.requests().slice(before).some((r) => toolOutputSeen(r.json))).toBe(true);
      },
      TIMEOUT,
    );
  });
});
