/**
 * The router against a hand-labeled set of coding-assistant turns
 * (test/fixtures/routing-turns.json), each sent the way Claude Code sends
 * it: reminders around the typed text, 24 tool definitions, its system
 * prompt. The router must agree with the labels on at least 85% of the turns
 * and never send a risky turn to SIMPLE.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { definePlugin, type Kernel, type MessagesRequest } from '../../kernel/index.js';
import { messageToEvents } from '../../kernel/ir/stream.js';
import { answer, iterate, testKernel, testSurface } from '../helpers/kernel.js';

interface Turn {
  category: string;
  tier: string;
  risky?: boolean;
  text: string;
}
const { turns } = JSON.parse(readFileSync(new URL('../fixtures/routing-turns.json', import.meta.url), 'utf8')) as { turns: Turn[] };
const session = JSON.parse(readFileSync(new URL('./claude-code-session.json', import.meta.url), 'utf8')) as { headers: Record<string, string>; request: MessagesRequest };

const provider = definePlugin({
  name: 'fake-provider',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    ctx.providers.register({ id: 'p', wire: 'test', invoke: async ({ request: req }) => ({ events: iterate(messageToEvents(answer(req, 'ok'))) }) });
  },
});

/** The turn as Claude Code's first message of a conversation. */
const asClaudeCode = (text: string): MessagesRequest => ({
  ...session.request,
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: '<system-reminder>\nAs you answer, use this context: CLAUDE.md says use pnpm, run the tests, never commit to main.\n</system-reminder>\n' },
        { type: 'text', text },
      ],
    },
  ],
});

let kernel: Kernel;
beforeAll(async () => {
  kernel = await testKernel({
    plugins: [testSurface(), provider(), ['router-tiers', { simple: 'p:simple', medium: 'p:medium', complex: 'p:complex', reasoning: 'p:reasoning' }], 'intent-window'],
  });
});
afterAll(() => kernel.stop());

describe('the labeled set of coding-assistant turns', () => {
  it('has at least 60 turns, covering every tier', () => {
    expect(turns.length).toBeGreaterThanOrEqual(60);
    expect(new Set(turns.map((t) => t.tier))).toEqual(new Set(['SIMPLE', 'MEDIUM', 'COMPLEX', 'REASONING']));
  });

  it('agrees with the labels on at least 85% of the turns and never sends a risky turn to SIMPLE', async () => {
    const rows: Array<Turn & { routed: string; score: number }> = [];
    for (const [i, turn] of turns.entries()) {
      const res = await kernel.inject({
        method: 'POST',
        url: '/test/messages',
        payload: asClaudeCode(turn.text) as unknown as object,
        headers: { ...session.headers, 'x-claude-code-session-id': `labeled-${i}` },
      });
      const decision = res.json().decision as { tier: string; score: number };
      rows.push({ ...turn, routed: decision.tier, score: decision.score });
    }
    const agreed = rows.filter((r) => r.routed === r.tier).length;
    const agreement = agreed / rows.length;
    const tiers = ['SIMPLE', 'MEDIUM', 'COMPLEX', 'REASONING'];
    const matrix = tiers.map((label) => `${label.padEnd(14)}${tiers.map((routed) => String(rows.filter((r) => r.tier === label && r.routed === routed).length).padStart(10)).join('')}`);
    const misses = rows.filter((r) => r.routed !== r.tier).map((r) => `  ${r.tier} → ${r.routed} (score ${r.score}): ${r.text.slice(0, 80)}`);
    process.stdout.write(
      [
        `routing agreement on ${rows.length} labeled turns: ${agreed}/${rows.length} = ${(agreement * 100).toFixed(1)}%`,
        `${'label \\ routed'.padEnd(14)}${tiers.map((t) => t.padStart(10)).join('')}`,
        ...matrix,
        'disagreements:',
        ...misses,
        '',
      ].join('\n'),
    );
    expect(rows.filter((r) => r.risky && r.routed === 'SIMPLE')).toEqual([]);
    expect(agreement).toBeGreaterThanOrEqual(0.85);
  });
});
