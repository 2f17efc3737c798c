import { describe, expect, it } from '@jest/globals';
import { createScorer, DEFAULT_WEIGHTS, featureStrengths, forceRule, scoreFeatures } from './scorer.js';

const options = { weights: DEFAULT_WEIGHTS, riskFloor: 20, acuteFloor: 45, forceSimple: true, forceReasoning: true };
const score = createScorer(options);

describe('force rules', () => {
  it.each([
    ['hi', 'greeting'],
    ['Good morning!', 'greeting'],
    ['thanks, that works', 'thanks'],
    ['ok', 'acknowledgement'],
    ['lgtm 👍', 'acknowledgement'],
    ['🙏', 'acknowledgement'],
  ])('sends %j to SIMPLE (%s)', (text, rule) => {
    expect(forceRule(text, options)).toEqual({ tier: 'SIMPLE', rule });
    expect(score(text)).toEqual({ score: 0, features: {}, forced: { tier: 'SIMPLE', rule } });
  });

  it('does not take a request that starts politely for a pleasantry', () => {
    expect(forceRule('ok go ahead and run the migrations', options)).toBeUndefined();
    expect(forceRule('thanks, now rotate the production database credentials', options)).toBeUndefined();
    expect(forceRule('hi, the deploy is failing', options)).toBeUndefined();
  });

  it.each([
    ['ultrathink about the cache', 'ultrathink'],
    ['Think hard about this interleaving', 'think hard'],
    ['think it through before answering', 'think hard'],
    ['Do a security audit of the auth module', 'security audit'],
    ['threat model the upload feature', 'security audit'],
    ['review our JWT handling for security issues', 'security audit'],
    ['Audit the codebase for SQL injection', 'security audit'],
    ['prove that the queue is linearizable', 'formal proof'],
    ['I need a rigorous argument that no job starves', 'formal proof'],
    ['derive the retry budget from first principles', 'first principles'],
  ])('sends %j to REASONING (%s)', (text, rule) => {
    expect(forceRule(text, options)).toEqual({ tier: 'REASONING', rule });
    expect(score(text).score).toBe(100);
  });

  it.each([
    'verify the file exists before reading it',
    'add a verification step to the signup email',
    'this is a proof of concept, keep it simple',
    'review the README wording',
    'what is the reason this test is skipped?',
    "don't think hard about it, just rename the variable",
    'no need to think too hard, the fix is a one-liner',
    'review our dependency injection setup for duplicate bindings',
  ])('does not force REASONING for %j', (text) => {
    expect(forceRule(text, options)?.tier).not.toBe('REASONING');
    expect(score(text).score).toBeLessThan(70);
  });

  it('can be switched off one by one', () => {
    expect(forceRule('hi', { forceSimple: false, forceReasoning: true })).toBeUndefined();
    expect(forceRule('ultrathink', { forceSimple: true, forceReasoning: false })).toBeUndefined();
  });
});

describe('features', () => {
  it('measures each documented feature', () => {
    const { strengths } = featureStrengths(
      'Refactor src/a.ts, src/b.ts and src/c.ts across the codebase: compare the trade-offs, design the approach, and avoid race conditions and deadlocks in production.',
    );
    expect(strengths).toMatchObject({ refactor: 1, files: 1, scope: 1, reasoning: 0.8, planning: 1, hard: 1, risk: 1, parts: 1, compound: 1 });
  });

  it('weighs risk more when the turn changes code than when it reads it', () => {
    expect(featureStrengths('explain the production deploy script').strengths.risk).toBe(0.7);
    expect(featureStrengths('rewrite the production deploy script').strengths.risk).toBe(1);
    expect(featureStrengths('the production deploy leaked the api key').strengths.risk).toBe(1);
  });

  it('matches vocabulary on word boundaries', () => {
    expect(featureStrengths('who authored this file?').strengths.risk).toBe(0);
    expect(featureStrengths('fix the OAuth callback').strengths.risk).toBe(0.7);
    expect(featureStrengths('the subscription plan names are wrong').strengths.planning).toBe(0);
    expect(featureStrengths('upgrade Node.js and next.js').strengths.files).toBe(0);
  });

  it('floors risky turns at MEDIUM and acute ones at COMPLEX', () => {
    expect(score('deploy it')).toMatchObject({ score: 20, features: { risk: 11.2 } });
    expect(score('the api key leaked').score).toBe(45);
    expect(score('drop table users').score).toBe(45);
  });

  it('lowers small edits', () => {
    const plain = score('add a visible newline to package.json');
    const small = score('add a trailing newline to package.json');
    expect(small.features).toEqual({ ...plain.features, small: -14 });
    expect(small.score).toBe(plain.score - 14);
  });

  it('grows with length, slowly', () => {
    const at = (words: number) => featureStrengths(Array.from({ length: words }, () => 'word').join(' ')).strengths.length;
    expect([at(4), at(8), at(32), at(256), at(5000)]).toEqual([0, 1 / 6, 0.5, 1, 1]);
  });

  it('reads only the head and the tail of a long paste for vocabulary', () => {
    const log = `${'INFO request served in 3ms\n'.repeat(2000)}`;
    const { strengths } = featureStrengths(`Why is this slow?\n${log.slice(0, 10_000)} deadlock ${log.slice(0, 10_000)}\nplease look`);
    expect(strengths.hard).toBe(0);
  });

  it('sums points per feature, clamped to 0-100', () => {
    const all = Object.fromEntries(Object.keys(DEFAULT_WEIGHTS).map((k) => [k, 1])) as Parameters<typeof scoreFeatures>[0];
    expect(scoreFeatures(all, DEFAULT_WEIGHTS).score).toBe(100);
    const none = Object.fromEntries(Object.keys(DEFAULT_WEIGHTS).map((k) => [k, 0])) as Parameters<typeof scoreFeatures>[0];
    expect(scoreFeatures({ ...none, small: 1 }, DEFAULT_WEIGHTS)).toEqual({ score: 0, features: { small: -14 } });
  });
});

describe('createScorer', () => {
  it('is deterministic and memoizes', () => {
    const text = 'Split the OrderService into pricing and inventory services and update all the callers.';
    const first = score(text);
    expect(score(`${text}`)).toBe(first);
    expect(createScorer(options)(text)).toEqual(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('uses the weights it is given', () => {
    const heavy = createScorer({ ...options, weights: { ...DEFAULT_WEIGHTS, build: 80 } });
    expect(heavy('Write a Dockerfile for this app').score).toBeGreaterThan(80);
  });
});
