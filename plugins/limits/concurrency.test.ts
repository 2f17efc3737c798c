import { describe, expect, it } from '@jest/globals';
import { Slots } from './concurrency.js';

describe('Slots', () => {
  it('holds up to the limit per caller and frees on release', () => {
    const slots = new Slots();
    expect(slots.acquire('a', 2)).toBe(true);
    expect(slots.acquire('a', 2)).toBe(true);
    expect(slots.acquire('a', 2)).toBe(false);
    expect(slots.acquire('b', 2)).toBe(true);
    slots.release('a');
    expect(slots.acquire('a', 2)).toBe(true);
    slots.release('a');
    slots.release('a');
    expect(slots.held('a')).toBe(0);
  });
});
