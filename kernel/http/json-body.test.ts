import { once } from 'node:events';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kernel } from '../kernel.js';
import { definePlugin } from '../plugin/define.js';
import type { LynkrError } from '../errors.js';
import { testKernel, testSurface } from '../../test/helpers/kernel.js';
import { bodyError, MAX_JSON_DEPTH, parseJsonBody, readBody, utf8Text } from './json-body.js';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

describe('JSON bodies', () => {
  it('must be UTF-8', () => {
    expect(utf8Text(Buffer.from('{"a":"é ✓ 𝄞 \ufffd"}'))).toBe('{"a":"é ✓ 𝄞 \ufffd"}');
    for (const bytes of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      expect(utf8Text(Buffer.from([0x22, ...bytes, 0x22]))).toMatchObject({ code: 'LYNKR_ERR_REQUEST_INVALID', status: 400 });
    }
  });

  it(`may nest ${MAX_JSON_DEPTH} levels of objects and arrays, not one more`, () => {
    expect(bodyError(nested(MAX_JSON_DEPTH))).toBeNull();
    expect(bodyError(nested(MAX_JSON_DEPTH + 1))).toMatchObject({ code: 'LYNKR_ERR_REQUEST_INVALID', message: expect.stringContaining(`${MAX_JSON_DEPTH} levels`) });
    expect(bodyError(nested(100_000))).not.toBeNull();
    expect(bodyError({ wide: Array.from({ length: 10_000 }, () => ({ a: [1, 'x', null] })) })).toBeNull();
    expect(bodyError('text')).toBeNull();
  });

  /** parseJsonBody's outcome, as its callback gives it. */
  const parsed = (text: string) => {
    let out: { error: LynkrError | null; value?: unknown } | undefined;
    parseJsonBody(text, (error, value) => (out = { error, value }));
    return out!;
  };

  it('must be JSON, and not empty; a value of any type is handed on', () => {
    expect(parsed('{"a":[1,"é"]}')).toEqual({ error: null, value: { a: [1, 'é'] } });
    expect(parsed('"text"')).toEqual({ error: null, value: 'text' });
    expect(parsed('').error).toMatchObject({ code: 'LYNKR_ERR_REQUEST_INVALID', status: 400, message: expect.stringContaining('empty') });
    // The message does not quote the body: it would reach the logs.
    const broken = parsed('{"key":"sk-secret", oops}').error;
    expect(broken).toMatchObject({ code: 'LYNKR_ERR_REQUEST_INVALID', status: 400, message: 'invalid request body: it is not valid JSON' });
  });

  it('may not hold a prototype-poisoning key at any depth, written plainly or escaped', () => {
    for (const text of [
      '{"__proto__":{"admin":true}}',
      '{"messages":[{"content":[{"__proto__":{"x":1}}]}]}',
      '{"\\u005f_proto__":{}}',
      '{"a":{"constructor":{"prototype":{"admin":true}}}}',
    ]) {
      expect(parsed(text).error).toMatchObject({ code: 'LYNKR_ERR_REQUEST_INVALID', status: 400, message: expect.stringContaining('__proto__') });
    }
    // The words themselves are fine: in text, as values, and a constructor without a prototype.
    for (const text of ['{"text":"__proto__ and constructor.prototype"}', '{"constructor":{"name":"x"}}', '{"constructor":"prototype"}', '{"a":["__proto__"]}']) {
      expect(parsed(text).error).toBeNull();
    }
  });

  describe('at the HTTP shell', () => {
    let kernel: Kernel;
    beforeAll(async () => {
      kernel = await testKernel({ plugins: [testSurface()] });
    });
    afterAll(() => kernel.stop());
    const post = (payload: string | Buffer) => kernel.inject({ method: 'POST', url: '/test/messages', headers: { 'content-type': 'application/json' }, payload });

    it('refuses bytes that are not UTF-8 and values nested too deep with a 400, before any route runs', async () => {
      const bad = await post(Buffer.from([...Buffer.from('{"model":"m'), 0xff, ...Buffer.from('"}')]));
      expect([bad.statusCode, bad.json()]).toEqual([400, expect.objectContaining({ error: expect.objectContaining({ code: 'LYNKR_ERR_REQUEST_INVALID', message: 'invalid request body: it is not valid UTF-8' }) })]);
      // JSON.stringify could not write this body: the very overflow the limit prevents.
      const deep = await post(`{"model":"m","extra":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
      expect([deep.statusCode, deep.json()]).toEqual([400, expect.objectContaining({ error: expect.objectContaining({ code: 'LYNKR_ERR_REQUEST_INVALID' }) })]);
      const poisoned = await post('{"model":"m","metadata":{"__proto__":{"admin":true}}}');
      expect([poisoned.statusCode, poisoned.json()]).toEqual([400, expect.objectContaining({ error: expect.objectContaining({ code: 'LYNKR_ERR_REQUEST_INVALID' }) })]);
      for (const payload of ['', '{"model":']) {
        const res = await post(payload);
        expect([res.statusCode, res.json()]).toEqual([400, expect.objectContaining({ error: expect.objectContaining({ code: 'LYNKR_ERR_REQUEST_INVALID' }) })]);
      }
    });
  });

  describe('read from the request', () => {
    const read = (payload: Readable, contentLength: string | undefined, limit = 1024) =>
      new Promise<{ error: LynkrError | null; text?: string }>((resolve) => {
        readBody(payload, contentLength, limit, (bytes) => resolve(Buffer.isBuffer(bytes) ? { error: null, text: bytes.toString('utf8') } : { error: bytes }));
      });
    /** A stream holding `parts` as node's HTTP parser leaves a body that came with its head: buffered, not flowing. */
    const buffered = (...parts: string[]) => {
      const payload = new Readable({ read() {} });
      for (const p of parts) payload.push(Buffer.from(p));
      return payload;
    };

    it('takes a body that is all there in one read, without listening for its data', async () => {
      const payload = buffered('{"a":', '"b"}');
      let listened = false;
      payload.on('newListener', (event) => (listened ||= event === 'data'));
      const out = await read(payload, '9');
      expect([out.error, out.text, listened]).toEqual([null, '{"a":"b"}', false]);
      expect(payload.readableLength).toBe(0);
    });

    it('reads a body still on its way as it arrives, whole', async () => {
      const payload = buffered('{"a":');
      const pending = read(payload, '9');
      setTimeout(() => {
        payload.push(Buffer.from('"b"}'));
        payload.push(null);
      }, 5);
      expect(await pending).toMatchObject({ error: null, text: '{"a":"b"}' });
      // Chunked: no length to compare with, so only the end says it is whole.
      const chunked = buffered('[1,', '2]');
      setTimeout(() => chunked.push(null), 5);
      expect(await read(chunked, undefined)).toMatchObject({ error: null, text: '[1,2]' });
    });

    it('refuses a body over the limit: at once when its length says so, else at the chunk that crosses it', async () => {
      const announced = buffered('x'.repeat(10));
      let pulled = false;
      announced.on('newListener', (event) => (pulled ||= event === 'data'));
      expect((await read(announced, '2000', 1024)).error).toMatchObject({ code: 'LYNKR_ERR_REQUEST_TOO_LARGE', status: 413 });
      expect(pulled).toBe(false);
      const chunked = buffered('x'.repeat(600));
      setTimeout(() => chunked.push(Buffer.from('x'.repeat(600))), 5);
      expect((await read(chunked, undefined, 1024)).error).toMatchObject({ code: 'LYNKR_ERR_REQUEST_TOO_LARGE', status: 413 });
    });

    it('answers 400 for a body that ends short of its length or breaks off', async () => {
      const short = buffered('{"a"');
      setTimeout(() => short.push(null), 5);
      expect((await read(short, '9')).error).toMatchObject({ code: 'LYNKR_ERR_REQUEST_INVALID', status: 400, message: 'invalid request body: 4 bytes where content-length said 9' });
      const broken = buffered('{"a"');
      setTimeout(() => broken.destroy(new Error('aborted')), 5);
      expect((await read(broken, '9')).error).toMatchObject({ code: 'LYNKR_ERR_REQUEST_INVALID', status: 400, message: 'invalid request body: aborted' });
    });

    it('gives an empty body as empty bytes', async () => {
      expect(await read(buffered(), '0')).toMatchObject({ error: null, text: '' });
    });
  });

  describe('over a real connection', () => {
    const echo = definePlugin({
      name: 'test-echo',
      version: '1.0.0',
      kernel: '^1',
      setup(ctx) {
        ctx.http.route({ method: 'POST', url: '/test/echo', handler: async (req, _reply, ex) => ({ bytes: ex.body?.text.length, same: ex.body?.json === req.body }) });
      },
    });
    let kernel: Kernel;
    let url: string;
    beforeAll(async () => {
      kernel = await testKernel({ server: { port: 0 }, plugins: [echo] });
      ({ url } = await kernel.start());
    });
    afterAll(() => kernel.stop());

    it('reads two requests written in one packet, each its own body', async () => {
      const { port } = new URL(url);
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      const request = (body: string) => `POST /test/echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
      socket.write(request('{"n":1}') + request('{"n":[1,2,3]}'));
      let text = '';
      socket.setEncoding('utf8');
      for await (const chunk of socket) {
        text += chunk as string;
        if ((text.match(/"same":true/g) ?? []).length === 2) break;
      }
      socket.destroy();
      expect(text.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
      expect(text).toContain('{"bytes":7,"same":true}');
      expect(text).toContain('{"bytes":13,"same":true}');
    });

    it('reads a body larger than one read, and one sent in chunks over time', async () => {
      const big = JSON.stringify({ text: 'é'.repeat(400_000) });
      const res = await fetch(`${url}/test/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      expect(await res.json()).toEqual({ bytes: big.length, same: true });
      const parts = ['{"a":', '[1,2', ',3]}'];
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = parts.shift();
          if (next === undefined) return controller.close();
          await new Promise((r) => setTimeout(r, 5));
          controller.enqueue(new TextEncoder().encode(next));
        },
      });
      const chunked = await fetch(`${url}/test/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
      expect(await chunked.json()).toEqual({ bytes: 13, same: true });
    });
  });
});
