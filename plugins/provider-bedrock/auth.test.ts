import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FAKE_AWS_CREDENTIALS, FAKE_BEDROCK_API_KEY, startFakeBedrock, type FakeBedrock } from '../../test/fakes/bedrock.js';
import { bearerAuth, sigV4Auth } from './auth.js';

let fake: FakeBedrock;
beforeAll(async () => {
  fake = await startFakeBedrock();
});
afterAll(() => fake.close());

const HEADERS = { 'content-type': 'application/json', accept: 'application/json' };
const body = (text: string) => new TextEncoder().encode(JSON.stringify({ messages: [{ role: 'user', content: [{ text }] }] }));

/** POST through fetch, whose `host` header is the URL's host, as undici's. */
async function post(url: URL, headers: Record<string, string>, bytes: Uint8Array) {
  const { host: _host, ...rest } = headers;
  const res = await fetch(url, { method: 'POST', headers: rest, body: bytes });
  return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: (await res.json()) as { message?: string } };
}

describe('sigV4Auth against the fake\'s verification', () => {
  const auth = sigV4Auth({ region: 'us-east-1', credentials: { ...FAKE_AWS_CREDENTIALS }, label: 'bedrock' });
  const url = () => new URL(`${fake.url}/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse`);

  it('is accepted for the bytes it signed', async () => {
    const bytes = body('héllo');
    const res = await post(url(), await auth.sign(url(), HEADERS, bytes), bytes);
    expect(res.status).toBe(200);
  });

  it('is refused for other bytes, another path or another region, as Bedrock refuses them', async () => {
    const headers = await auth.sign(url(), HEADERS, body('signed'));
    let res = await post(url(), headers, body('sent instead'));
    expect(res).toMatchObject({ status: 403, type: expect.stringMatching(/^InvalidSignatureException:/), body: { message: expect.stringMatching(/^The request signature we calculated does not match/) } });
    res = await post(new URL(`${fake.url}/model/us.anthropic.claude-opus-4-5-20251101-v1%3A0/converse`), headers, body('signed'));
    expect(res.status).toBe(403);
    const elsewhere = sigV4Auth({ region: 'eu-west-1', credentials: { ...FAKE_AWS_CREDENTIALS }, label: 'bedrock' });
    res = await post(url(), await elsewhere.sign(url(), HEADERS, body('x')), body('x'));
    expect(res).toMatchObject({ status: 403, type: expect.stringMatching(/^InvalidSignatureException:/) });
  });

  it('adds only what SigV4 needs to the headers', async () => {
    const headers = await auth.sign(url(), HEADERS, body('x'));
    expect(Object.keys(headers).sort()).toEqual(['accept', 'authorization', 'content-type', 'host', 'x-amz-date']);
    expect(headers.host).toBe(url().host);
  });
});

describe('bearerAuth', () => {
  it('sends the API key as a bearer token', async () => {
    const url = new URL(`${fake.url}/model/m/converse`);
    const headers = await bearerAuth(FAKE_BEDROCK_API_KEY).sign(url, HEADERS, body('x'));
    expect(headers).toEqual({ ...HEADERS, authorization: `Bearer ${FAKE_BEDROCK_API_KEY}` });
    expect((await post(url, headers, body('x'))).status).toBe(200);
  });
});
