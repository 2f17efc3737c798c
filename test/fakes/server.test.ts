import http from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { fetch } from 'undici';
import { readStreamBody } from './sse.js';
import { splitPieces, splitText, startFake, type FakeServer } from './server.js';

let fake: FakeServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Two requests through one keep-alive agent; reports whether the second reused the socket. */
function twoRequestsOnOneSocket(url: string): Promise<boolean> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise<boolean>((resolve, reject) => {
      const req = http.get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(req.reusedSocket));
      });
      req.on('error', reject);
    });
  return get()
    .then(() => get())
    .finally(() => agent.destroy());
}

describe('startFake', () => {
  it('records method, path with query, headers, raw body and parsed JSON', async () => {
    fake = await startFake((_req, res) => void res.end('ok'));
    expect(fake.url).toBe(`http://127.0.0.1:${fake.port}`);
    await fetch(`${fake.url}/a/b?x=1`, { method: 'POST', headers: { 'x-test': 'yes' }, body: '{"k": [1]}' });
    await fetch(`${fake.url}/plain`, { method: 'PUT', body: 'not json' });
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/a/b?x=1', body: '{"k": [1]}', json: { k: [1] } });
    expect(fake.requests[0]?.headers['x-test']).toBe('yes');
    expect(fake.requests[1]).toMatchObject({ method: 'PUT', path: '/plain', body: 'not json', json: undefined });
  });

  it('keeps connections alive between requests', async () => {
    fake = await startFake((_req, res) => void res.end('ok'));
    await expect(twoRequestsOnOneSocket(fake.url)).resolves.toBe(true);
  });

  it('turns a throwing handler into a readable 500', async () => {
    fake = await startFake(() => {
      throw new Error('script bug');
    });
    const res = await fetch(fake.url);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('script bug');
  });

  it('close() ends a response that never finishes, without hanging', async () => {
    fake = await startFake((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
    });
    const res = await fetch(fake.url);
    const body = readStreamBody(res);
    const started = Date.now();
    await fake.close();
    fake = undefined;
    const { text, error } = await body;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(text).toBe('data: first\n\n');
    expect(error).toBeDefined();
  });
});

describe('split helpers', () => {
  it('splits text into word deltas that join back', () => {
    expect(splitText('Hello big world')).toEqual(['Hello ', 'big ', 'world']);
    expect(splitText(['exact', ' deltas'])).toEqual(['exact', ' deltas']);
    expect(splitText('')).toEqual(['']);
  });

  it('splits a string into up to three pieces', () => {
    expect(splitPieces('{"a":1}')).toEqual(['{"a', '":1', '}']);
    expect(splitPieces('')).toEqual(['']);
    expect(splitPieces('ab')).toEqual(['a', 'b']);
  });
});
