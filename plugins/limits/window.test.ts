import { describe, expect, it } from '@jest/globals';
import Keyv from 'keyv';
import { RateCounters, Serial, WINDOW_MS } from './counters.js';
import { admits, estimate, waitMs, windowIndex } from './window.js';

const W = 60_000;

describe('window arithmetic', () => {
  it('numbers windows from the epoch, so instances agree', () => {
    expect(windowIndex(0, W)).toBe(0);
    expect(windowIndex(W - 1, W)).toBe(0);
    expect(windowIndex(W, W)).toBe(1);
  });

  it('fixed: the current window alone; wait for the next window', () => {
    const counts = { current: 10, previous: 50 };
    expect(estimate('fixed', counts, 15_000, W)).toBe(10);
    expect(admits('fixed', counts, 15_000, W, 11)).toBe(true);
    expect(admits('fixed', counts, 15_000, W, 10)).toBe(false);
    expect(waitMs('fixed', counts, 15_000, W, 10)).toBe(45_000);
    expect(waitMs('fixed', counts, 15_000, W, 11)).toBe(0);
  });

  it('sliding: the previous window weighted by its overlap, plus the current one', () => {
    // A quarter into the window: three quarters of the previous one still count.
    expect(estimate('sliding', { current: 2, previous: 8 }, W + 15_000, W)).toBe(8);
    expect(admits('sliding', { current: 2, previous: 8 }, W + 15_000, W, 9)).toBe(true);
    expect(admits('sliding', { current: 2, previous: 8 }, W + 15_000, W, 8)).toBe(false);
  });

  it('sliding: waits until the previous window has faded enough', () => {
    // limit 8: room 7; current 2 needs previous*(1-f) <= 5, i.e. f >= 3/8 of the window (22.5 s), 7.5 s from now.
    expect(waitMs('sliding', { current: 2, previous: 8 }, W + 15_000, W, 8)).toBe(7500);
    expect(waitMs('sliding', { current: 0, previous: 0 }, 15_000, W, 1)).toBe(0);
  });

  it('sliding: when the current window alone is over, waits past its end', () => {
    // limit 5: room 4; current 8 becomes the previous one and must fade to 4: half of the next window.
    expect(waitMs('sliding', { current: 8, previous: 0 }, 45_000, W, 5)).toBe(15_000 + 30_000);
    // The estimate then admits exactly at that moment.
    expect(admits('sliding', { current: 0, previous: 8 }, W + 30_000, W, 5)).toBe(true);
    expect(admits('sliding', { current: 0, previous: 8 }, W + 29_999, W, 5)).toBe(false);
  });
});

describe('RateCounters', () => {
  const at = (time: { now: number }) => () => time.now;

  it('counts requests per caller in the store and refuses over the limit, with the wait', async () => {
    const time = { now: 10 * WINDOW_MS + 30_000 };
    const store = new Keyv();
    const counters = new RateCounters(store, new Serial(), 'fixed', at(time));
    const limits = { requestsPerMinute: 2, tokensPerMinute: 0 };
    expect(await counters.admit('key:a', limits)).toBeUndefined();
    expect(await counters.admit('key:a', limits)).toBeUndefined();
    expect(await counters.admit('key:a', limits)).toEqual({ limit: 'requestsPerMinute', value: 2, retryAfterMs: 30_000 });
    // Another caller has its own budget.
    expect(await counters.admit('key:b', limits)).toBeUndefined();
    // A refused request is not counted; the next window starts over.
    time.now += 30_000;
    expect(await counters.admit('key:a', limits)).toBeUndefined();
  });

  it('loses no increment when one caller\'s requests race inside one process', async () => {
    const store = new Keyv();
    const counters = new RateCounters(store, new Serial(), 'fixed', () => 5 * WINDOW_MS);
    const outcomes = await Promise.all(Array.from({ length: 25 }, () => counters.admit('key:a', { requestsPerMinute: 10, tokensPerMinute: 0 })));
    expect(outcomes.filter((o) => o === undefined)).toHaveLength(10);
    expect(outcomes.filter((o) => o?.limit === 'requestsPerMinute')).toHaveLength(15);
  });

  it('refuses once the window\'s tokens reach the budget, and counts tokens across instances on one store', async () => {
    const time = { now: 3 * WINDOW_MS };
    const store = new Keyv();
    const one = new RateCounters(store, new Serial(), 'sliding', at(time));
    const two = new RateCounters(store, new Serial(), 'sliding', at(time));
    const limits = { requestsPerMinute: 0, tokensPerMinute: 100 };
    expect(await one.admit('team:x', limits)).toBeUndefined();
    await one.addTokens('team:x', 60);
    expect(await two.admit('team:x', limits)).toBeUndefined();
    await two.addTokens('team:x', 45);
    const refusal = await one.admit('team:x', limits);
    expect(refusal).toMatchObject({ limit: 'tokensPerMinute', value: 100 });
    // 105 tokens fade to 99 a little over 5.7% into the next window.
    expect(refusal!.retryAfterMs).toBe(WINDOW_MS + Math.ceil(WINDOW_MS * (1 - 99 / 105)));
  });

  it('keeps no queue for callers with nothing pending', async () => {
    const serial = new Serial();
    const counters = new RateCounters(new Keyv(), serial, 'fixed', () => 0);
    await Promise.all(['a', 'b', 'c'].map((c) => counters.admit(c, { requestsPerMinute: 5, tokensPerMinute: 0 })));
    await new Promise((resolve) => setImmediate(resolve));
    expect(serial.size).toBe(0);
  });
});
