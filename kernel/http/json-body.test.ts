import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Kernel } from '../kernel.js';
import { testKernel, testSurface } from '../../test/helpers/kernel.js';
import { depthError, MAX_JSON_DEPTH, utf8Text } from './json-body.js';

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
    expect(depthError(nested(MAX_JSON_DEPTH))).toBeNull();
    expect(depthError(nested(MAX_JSON_DEPTH + 1))).toMatchObject({ code: 'LYNKR_ERR_REQUEST_INVALID', message: expect.stringContaining(`${MAX_JSON_DEPTH} levels`) });
    expect(depthError(nested(100_000))).not.toBeNull();
    expect(depthError({ wide: Array.from({ length: 10_000 }, () => ({ a: [1, 'x', null] })) })).toBeNull();
    expect(depthError('text')).toBeNull();
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
    });
  });
});
