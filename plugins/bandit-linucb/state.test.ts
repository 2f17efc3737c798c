import { describe, expect, it } from '@jest/globals';
import Keyv from 'keyv';
import pino from 'pino';
import { memoryLogger } from '../../test/helpers/kernel.js';
import { contextVector, DIM } from './features.js';
import { inverseOf } from './linucb.js';
import { ArmStore } from './state.js';

const x = (score: number) => contextVector({ score, tokens: 1000, tools: true, toolExchange: false, risk: 0, stream: true, client: 'other' });
const silent = pino({ level: 'silent' });

describe('arm state', () => {
  it('is shared through the store: one instance learns, another reads it on refresh', async () => {
    const keyv = new Keyv();
    const a = new ArmStore(() => keyv, 16, silent);
    const b = new ArmStore(() => keyv, 16, silent);
    expect(b.stats('MEDIUM|local:m').n).toBe(0);
    await Promise.all([a.update('MEDIUM|local:m', x(30), 1), a.update('MEDIUM|local:m', x(35), 0), a.update('MEDIUM|local:m', x(40), 1)]);
    expect(a.stats('MEDIUM|local:m').n).toBe(3);
    await b.refresh();
    const seen = b.stats('MEDIUM|local:m');
    expect(seen.n).toBe(3);
    // The inverse is rebuilt from the stored data: the same as the writer's.
    const direct = inverseOf(seen.A, DIM, 16)!;
    for (let k = 0; k < DIM * DIM; k++) expect(seen.Ainv[k]).toBeCloseTo(direct[k]!, 12);
    // And b's own update builds on a's.
    await b.update('MEDIUM|local:m', x(30), 1);
    await a.refresh();
    expect(a.stats('MEDIUM|local:m').n).toBe(4);
  });

  it('applies every update of one arm, in order, whatever their number', async () => {
    const keyv = new Keyv();
    const store = new ArmStore(() => keyv, 16, silent);
    const pending = Array.from({ length: 50 }, (_, i) => store.update('SIMPLE|local:s', x(i), i % 2));
    await Promise.all(pending);
    await store.settled();
    expect(store.stats('SIMPLE|local:s').n).toBe(50);
    expect(((await keyv.get('arm:SIMPLE|local:s')) as { n: number }).n).toBe(50);
  });

  it('ignores stored state of other features', async () => {
    const keyv = new Keyv();
    await keyv.set('arm:SIMPLE|local:s', { v: 1, d: DIM + 1, n: 9, A: [], b: [], rev: 'old' });
    await keyv.set('arm:SIMPLE|local:t', { v: 0, d: DIM, n: 9, A: new Array(DIM * DIM).fill(0), b: new Array(DIM).fill(0), rev: 'old' });
    const other = new ArmStore(() => keyv, 16, silent);
    await other.update('SIMPLE|local:t', x(10), 1);
    expect(other.stats('SIMPLE|local:t').n).toBe(1);
    const store = new ArmStore(() => keyv, 16, silent);
    await store.update('SIMPLE|local:s', x(10), 1);
    expect(store.stats('SIMPLE|local:s').n).toBe(1);
  });

  it('goes on learning in memory when the store fails, and says so once', async () => {
    const memory = memoryLogger('warn');
    const broken = {
      get: () => Promise.reject(new Error('store down')),
      set: () => Promise.reject(new Error('store down')),
    } as unknown as Keyv;
    const store = new ArmStore(() => broken, 16, memory.log);
    await store.update('COMPLEX|cloud:c', x(50), 1);
    await store.update('COMPLEX|cloud:c', x(55), 1);
    expect(store.stats('COMPLEX|cloud:c').n).toBe(2);
    expect(memory.lines().filter((l) => String(l.msg).includes('cannot reach its store'))).toHaveLength(1);
  });
});
