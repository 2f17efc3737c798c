import { describe, expect, it } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import Keyv from 'keyv';
import { ResponseStore } from './store.js';

const output = [{ type: 'message' as const, id: 'msg_1', role: 'assistant' as const, status: 'completed' as const, content: [{ type: 'output_text' as const, text: 'Hi.' }] }];

describe('ResponseStore', () => {
  it('keeps the conversation with the output, and gives it back', async () => {
    const store = new ResponseStore(new Keyv(), { ttlMs: 60_000, maxBytes: 10_000 });
    expect(await store.save('resp_1', [{ role: 'user', content: 'hello' }], output)).toBe(true);
    expect(await store.history('resp_1')).toEqual([{ role: 'user', content: 'hello' }, ...output]);
  });

  it('forgets a response after its TTL', async () => {
    const store = new ResponseStore(new Keyv(), { ttlMs: 30, maxBytes: 10_000 });
    await store.save('resp_1', [], output);
    await delay(60);
    await expect(store.history('resp_1')).rejects.toMatchObject({ status: 400, detail: { param: 'previous_response_id' }, message: expect.stringContaining('not found') });
  });

  it('keeps only a marker for a conversation over the size bound, and says so', async () => {
    const store = new ResponseStore(new Keyv(), { ttlMs: 60_000, maxBytes: 100 });
    expect(await store.save('resp_big', [{ role: 'user', content: 'x'.repeat(200) }], output)).toBe(false);
    await expect(store.history('resp_big')).rejects.toMatchObject({ status: 400, message: expect.stringContaining('larger than the storeMaxBytes limit') });
  });

  it('reports a failing backend as a storage error', async () => {
    const keyv = new Keyv();
    keyv.get = (() => Promise.reject(new Error('disk gone'))) as Keyv['get'];
    await expect(new ResponseStore(keyv, { ttlMs: 1000, maxBytes: 1000 }).history('resp_1')).rejects.toMatchObject({ code: 'LYNKR_ERR_STORAGE' });
  });
});
