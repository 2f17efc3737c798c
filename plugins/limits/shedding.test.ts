import { describe, expect, it } from '@jest/globals';
import { eventLoopDelay, LagMeter, type DelaySource } from './shedding.js';

describe('LagMeter', () => {
  function source(values: number[]): DelaySource & { reads: number; started: number } {
    const s = {
      reads: 0,
      started: 0,
      start: () => void (s.started += 1),
      stop: () => void (s.started -= 1),
      read: () => values[s.reads++] ?? 0,
    };
    return s;
  }

  it('reads its source at most once per sample interval, when asked', () => {
    const time = { now: 0 };
    const src = source([120, 5]);
    const meter = new LagMeter(src, 1000, () => time.now);
    expect(meter.lagMs()).toBe(120);
    time.now = 999;
    expect(meter.lagMs()).toBe(120);
    expect(src.reads).toBe(1);
    time.now = 1000;
    expect(meter.lagMs()).toBe(5);
  });

  it('starts its source once for several users and stops it with the last', () => {
    const src = source([]);
    const meter = new LagMeter(src, 1000);
    meter.start();
    meter.start();
    expect(src.started).toBe(1);
    meter.stop();
    expect(src.started).toBe(1);
    meter.stop();
    meter.stop();
    expect(src.started).toBe(0);
  });

  it('reads the event loop\'s own delay as a lag in ms, 0 before any sample', () => {
    const real = eventLoopDelay();
    expect(real.read()).toBe(0);
    real.start();
    expect(real.read()).toBeGreaterThanOrEqual(0);
    real.stop();
  });
});
