import { describe, expect, it } from '@jest/globals';
import Keyv from 'keyv';
import pino from 'pino';
import type { MessagesRequest } from '../../kernel/index.js';
import { conversationKey, judgePin, PinStore, sessionId, type Pin } from './affinity.js';
import { buildTierTable } from './tiers.js';
import type { TierTable } from './refs.js';

const table: TierTable = buildTierTable({ entries: { SIMPLE: 'p:s', MEDIUM: 'p:m', COMPLEX: 'p:c', REASONING: 'p:r' }, bands: { medium: 20, complex: 45, reasoning: 70 } }, () => table);
const log = pino({ level: 'silent' });
const req = (first: string, system = 'You are a coding agent.', more: MessagesRequest['messages'] = []): MessagesRequest => ({
  model: 'm',
  max_tokens: 100,
  system: [{ type: 'text', text: `x-anthropic-billing-header: cc_version=2.1.330.${first.length}; cc_entrypoint=cli;` }, { type: 'text', text: system }],
  messages: [{ role: 'user', content: [{ type: 'text', text: '<system-reminder>r</system-reminder>' }, { type: 'text', text: first }] }, ...more],
});

describe('session identity', () => {
  it('reads the session id from Claude Code\'s, Codex\'s or a generic header, else from metadata.user_id', () => {
    expect(sessionId(req('a'), { 'x-claude-code-session-id': 'cc' })).toBe('cc');
    expect(sessionId(req('a'), { 'session-id': 'codex' })).toBe('codex');
    expect(sessionId(req('a'), { session_id: 'codex2' })).toBe('codex2');
    expect(sessionId(req('a'), { 'x-session-id': 'x' })).toBe('x');
    expect(sessionId({ ...req('a'), metadata: { user_id: JSON.stringify({ device_id: 'd', session_id: 'meta' }) } }, {})).toBe('meta');
    expect(sessionId({ ...req('a'), metadata: { user_id: '{not json session_id' } }, {})).toBeUndefined();
    expect(sessionId(req('a'), {})).toBeUndefined();
  });

  it('keys a conversation by its session and its first typed message', () => {
    const h = { 'x-claude-code-session-id': 's' };
    const key = conversationKey(req('fix the bug'), h, undefined);
    expect(key).toMatch(/^pin:[0-9a-f]{32}$/);
    // Later turns of the same conversation: same key, even if the volatile billing line changed.
    expect(conversationKey(req('fix the bug', 'You are a coding agent.', [{ role: 'assistant', content: 'ok' }, { role: 'user', content: 'more' }]), h, undefined)).toBe(key);
    // A subagent (or the conversation after /clear) in the same session: another key.
    expect(conversationKey(req('explore the repo'), h, undefined)).not.toBe(key);
    expect(conversationKey(req('fix the bug'), { 'x-claude-code-session-id': 't' }, undefined)).not.toBe(key);
    expect(conversationKey(req('fix the bug'), h, 'team-a')).not.toBe(key);
  });

  it('fingerprints a conversation without a session id by its opening, system prompt and user agent', () => {
    const key = conversationKey(req('fix the bug'), { 'user-agent': 'aider' }, undefined);
    expect(conversationKey(req('fix the bug'), { 'user-agent': 'aider' }, undefined)).toBe(key);
    expect(conversationKey(req('fix the bug', 'Another system prompt'), { 'user-agent': 'aider' }, undefined)).not.toBe(key);
    expect(conversationKey(req('fix the bug'), { 'user-agent': 'cursor' }, undefined)).not.toBe(key);
  });
});

describe('judgePin', () => {
  const pin = (tier: Pin['tier']): Pin => ({ provider: 'p', model: 'x', tier, at: 0 });

  it('holds the pin through a tool exchange, whatever the turn scores', () => {
    expect(judgePin(pin('SIMPLE'), { tier: 'REASONING', score: 100 }, true, table, 10)).toBe('tool-exchange');
  });

  it('escalates only when the turn scores at least the margin into a higher band', () => {
    expect(judgePin(pin('MEDIUM'), { tier: 'COMPLEX', score: 54 }, false, table, 10)).toBe('hold');
    expect(judgePin(pin('MEDIUM'), { tier: 'COMPLEX', score: 55 }, false, table, 10)).toBe('escalate');
    expect(judgePin(pin('MEDIUM'), { tier: 'COMPLEX', score: 45 }, false, table, 0)).toBe('escalate');
    expect(judgePin(pin('SIMPLE'), { tier: 'REASONING', score: 100 }, false, table, 10)).toBe('escalate');
  });

  it('never moves a pin down, and a REASONING pin nowhere', () => {
    expect(judgePin(pin('COMPLEX'), { tier: 'SIMPLE', score: 0 }, false, table, 10)).toBe('hold');
    expect(judgePin(pin('REASONING'), { tier: 'REASONING', score: 100 }, false, table, 10)).toBe('hold');
    expect(judgePin(pin('MEDIUM'), { tier: 'COMPLEX', score: undefined }, false, table, 10)).toBe('hold');
  });
});

describe('PinStore', () => {
  it('stores pins with a TTL and refreshes them only when a quarter of it has passed', async () => {
    const keyv = new Keyv();
    const writes: unknown[] = [];
    const set = keyv.set.bind(keyv);
    keyv.set = ((key: string, value: unknown, ttl?: number) => (writes.push([key, value, ttl]), set(key, value, ttl))) as typeof keyv.set;
    let now = 1_000_000;
    const store = new PinStore(() => keyv, 4000, log, () => now);
    const target = { provider: 'p', model: 'x', tier: 'COMPLEX' as const };
    store.save('k', undefined, target);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([['k', { ...target, at: 1_000_000 }, 4000]]);
    const pin = await store.get('k');
    expect(pin).toEqual({ ...target, at: 1_000_000 });
    now += 999;
    store.save('k', pin, target);
    now += 2;
    store.save('k', pin, target);
    store.save('k', pin, { ...target, tier: 'REASONING' });
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(3);
  });

  it('ignores what is not a pin, and keeps routing when the store fails', async () => {
    const keyv = new Keyv();
    await keyv.set('old', { provider: 'p' });
    const store = new PinStore(() => keyv, 1000, log);
    expect(await store.get('old')).toBeUndefined();
    const broken = new PinStore(() => {
      throw new Error('disk full');
    }, 1000, log);
    expect(await broken.get('k')).toBeUndefined();
    expect(() => broken.save('k', undefined, { provider: 'p', model: 'x', tier: 'SIMPLE' })).not.toThrow();
  });
});
