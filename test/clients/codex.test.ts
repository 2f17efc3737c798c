/**
 * Real Codex CLI (Responses API only), headless, through Lynkr to upstreams
 * of other wire formats: a text turn and an `exec_command` tool round trip.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { greetingOf, MARKER, RUN_PROMPT, runClient, startStack, toolOutputSeen } from './brain.js';

const CODEX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '.bin', 'codex');
const TIMEOUT = 120_000;

/** Codex ignores OPENAI_BASE_URL: a custom provider with wire_api = "responses" in its config points it at Lynkr. */
function codex(baseUrl: string, prompt: string) {
  return runClient(
    CODEX,
    ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '--json', prompt],
    { LYNKR_KEY: 'dummy' },
    (home) => {
      mkdirSync(path.join(home, '.codex'), { recursive: true });
      writeFileSync(
        path.join(home, '.codex', 'config.toml'),
        ['model = "gpt-fake"', 'model_provider = "lynkr"', '[model_providers.lynkr]', 'name = "Lynkr"', `base_url = "${baseUrl}/v1"`, 'env_key = "LYNKR_KEY"', 'wire_api = "responses"', ''].join('\n'),
      );
    },
  );
}

interface CodexEvent {
  type: string;
  item?: { type: string; text?: string; command?: string; aggregated_output?: string; exit_code?: number | null };
}
const events = (stdout: string): CodexEvent[] =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as CodexEvent);
const agentText = (evs: CodexEvent[]) => evs.filter((e) => e.type === 'item.completed' && e.item?.type === 'agent_message').map((e) => e.item!.text);

describe.each(['anthropic', 'openai'] as const)('Codex CLI through Lynkr to a fake %s upstream', (kind) => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  beforeAll(async () => {
    stack = await startStack(kind);
  });
  afterAll(() => stack?.close());

  it(
    'answers a text turn',
    async () => {
      const run = await codex(stack.baseUrl, 'say hi');
      expect(run.code).toBe(0);
      const evs = events(run.stdout);
      expect(agentText(evs)).toEqual([greetingOf(kind)]);
      expect(evs.at(-1)?.type).toBe('turn.completed');
    },
    TIMEOUT,
  );

  it(
    'runs an exec_command tool round trip',
    async () => {
      const before = stack.requests().length;
      const run = await codex(stack.baseUrl, RUN_PROMPT);
      expect(run.code).toBe(0);
      const evs = events(run.stdout);
      const command = evs.find((e) => e.type === 'item.completed' && e.item?.type === 'command_execution');
      expect(command?.item).toMatchObject({ aggregated_output: `${MARKER}\n`, exit_code: 0 });
      expect(agentText(evs)).toEqual([`The command printed ${MARKER}.`]);
      expect(stack.requests().slice(before).some((r) => toolOutputSeen(r.json))).toBe(true);
    },
    TIMEOUT,
  );
});
