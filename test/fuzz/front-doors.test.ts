/**
 * Every front door against thousands of malformed requests (fast-check,
 * fixed seed): each must get a well-formed 4xx in its client's error format,
 * nothing may reach a provider, and the server must still answer a valid
 * request afterwards. Two kernels share the run, one in front of a fake
 * Anthropic upstream and one in front of a fake OpenAI one, so that both
 * provider paths would show a leak or a crash.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Kernel } from '../../kernel/index.js';
import { startFakeAnthropic, startFakeOpenAI, type FakeAnthropic, type FakeOpenAI } from '../fakes/index.js';
import { memoryLogger, testKernel } from '../helpers/kernel.js';
import { BODY_LIMIT, DOORS, malformed, VALID, type Case, type Door } from './malformed.js';

const SEED = 20_251_122;
/** About 3000 requests in all. */
const RUNS: Record<Door['name'], number> = { messages: 850, count_tokens: 450, chat: 850, responses: 850 };
/** A door takes a few seconds of CPU; the margin is for a machine busy with other work. */
const DOOR_TIMEOUT_MS = 120_000;

const JSON_TYPE = 'application/json';

/** The error types an Anthropic client may get for a status. */
const ANTHROPIC_TYPES: Record<number, string> = { 400: 'invalid_request_error', 413: 'request_too_large', 415: 'invalid_request_error' };

let anthropic: FakeAnthropic;
let openai: FakeOpenAI;
let kernels: Kernel[];
let ports: number[];
const logs = memoryLogger('warn');
const rejections: unknown[] = [];
const onRejection = (reason: unknown): void => void rejections.push(reason);

beforeAll(async () => {
  [anthropic, openai] = await Promise.all([startFakeAnthropic(), startFakeOpenAI()]);
  const front = ['api-anthropic', 'api-openai'];
  const boot = (plugins: unknown[]) => testKernel({ server: { port: 0, bodyLimit: BODY_LIMIT }, plugins: [...front, ...(plugins as [])] }, { logger: logs.log });
  kernels = await Promise.all([
    boot([['provider-anthropic', { baseUrl: anthropic.url, apiKey: 'sk-ant-test' }], ['router-static', { target: 'anthropic:claude-test' }]]),
    boot([['provider-openai-compatible', { openai: { baseUrl: `${openai.url}/v1`, apiKey: 'sk-test', model: 'gpt-test' } }], ['router-static', { target: 'openai:gpt-test' }]]),
  ]);
  ports = (await Promise.all(kernels.map((k) => k.start()))).map((s) => s.port);
  process.on('unhandledRejection', onRejection);
});

afterAll(async () => {
  process.off('unhandledRejection', onRejection);
  await Promise.all(kernels.map((k) => k.stop()));
  await Promise.all([anthropic.close(), openai.close()]);
});

/** POST `body` over a socket in 16 KiB chunks, without a content-length (transfer-encoding: chunked). */
function postChunked(port: number, path: string, body: string): Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': JSON_TYPE, 'transfer-encoding': 'chunked' } }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // The server may answer and close before the whole body is written: that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.on('close', () => answered || reject(new Error(`${path}: the connection closed without an answer`)));
    for (let at = 0; at < body.length; at += 16 * 1024) req.write(body.slice(at, at + 16 * 1024));
    req.end();
  });
}

const upstreamRequests = (): number => anthropic.requests.length + openai.requests.length;

async function send(kernel: Kernel, c: Case) {
  const headers: Record<string, string> = {};
  if (c.contentType !== undefined) headers['content-type'] = c.contentType;
  return kernel.inject({ method: 'POST', url: c.door.url, headers, ...(c.body !== undefined && { payload: c.body }) });
}

/** What is wrong with the answer to a malformed request; empty when it is a well-formed 4xx. */
function problemsOf(c: Case, res: { statusCode: number; headers: Record<string, unknown>; body: string }): string[] {
  const problems: string[] = [];
  const status = res.statusCode;
  if (c.status !== undefined ? status !== c.status : status < 400 || status >= 500) problems.push(`status ${status}, expected ${c.status ?? '4xx'}`);
  if (!String(res.headers['content-type']).startsWith('application/json')) problems.push(`content-type ${String(res.headers['content-type'])}`);
  const requestId = res.headers['x-request-id'];
  if (typeof requestId !== 'string' || requestId === '') problems.push('no x-request-id header');
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    return [...problems, 'the body is not JSON'];
  }
  const error = body.error as Record<string, unknown> | undefined;
  if (typeof error !== 'object' || error === null) return [...problems, 'no error object'];
  if (typeof error.message !== 'string' || error.message === '') problems.push('no error.message');
  else if (error.message.length > 1000) problems.push(`error.message of ${error.message.length} characters`);
  if (c.door.format === 'anthropic') {
    if (body.type !== 'error') problems.push(`type ${String(body.type)}, expected "error"`);
    if (error.type !== (ANTHROPIC_TYPES[status] ?? error.type) || typeof error.type !== 'string') problems.push(`error.type ${String(error.type)} for status ${status}`);
    if (Object.keys(error).sort().join() !== 'message,type') problems.push(`error keys ${Object.keys(error).join()}`);
    if (body.request_id !== requestId || res.headers['request-id'] !== requestId) problems.push('request_id differs from the x-request-id header');
  } else {
    if (Object.keys(body).join() !== 'error') problems.push(`top-level keys ${Object.keys(body).join()}`);
    if (typeof error.type !== 'string') problems.push('no error.type');
    if (!(error.param === null || typeof error.param === 'string')) problems.push('error.param is neither a string nor null');
    if (!(error.code === null || typeof error.code === 'string')) problems.push('error.code is neither a string nor null');
    if (Object.keys(error).sort().join() !== 'code,message,param,type') problems.push(`error keys ${Object.keys(error).join()}`);
  }
  return problems;
}

const preview = (body: Case['body']): string => {
  if (body === undefined) return '(none)';
  const s = typeof body === 'string' ? body : `<${body.length} bytes> ${body.toString('latin1')}`;
  return s.length > 300 ? `${s.slice(0, 300)}… (${s.length})` : s;
};

describe('front doors against malformed requests', () => {
  it.each(Object.values(DOORS).map((door): [string, Door] => [door.url, door]))('POST %s: a well-formed 4xx for each, nothing upstream', async (_url, door) => {
    await fc.assert(
      fc.asyncProperty(malformed(door), fc.nat(kernels.length - 1), async (c, k) => {
        const before = upstreamRequests();
        const res = await send(kernels[k]!, c);
        const problems = problemsOf(c, res);
        if (upstreamRequests() !== before) problems.push('the request reached the upstream');
        if (problems.length > 0) {
          throw new Error(`${c.door.url} [${c.kind}]: ${problems.join('; ')}\n  sent (${c.contentType ?? 'no content-type'}): ${preview(c.body)}\n  got: ${res.statusCode} ${res.body.slice(0, 300)}`);
        }
      }),
      { seed: SEED, numRuns: RUNS[door.name] },
    );
  }, DOOR_TIMEOUT_MS);

  it('answers a body over server.bodyLimit with a 413 in its client\'s format, also when it comes chunked on a socket', async () => {
    for (const door of Object.values(DOORS)) {
      const res = await postChunked(ports[0]!, door.url, JSON.stringify({ ...VALID[door.name], padding: 'x'.repeat(BODY_LIMIT) }));
      const c: Case = { door, kind: 'chunked, over the body limit', body: undefined, contentType: JSON_TYPE, status: 413 };
      expect([door.url, problemsOf(c, res)]).toEqual([door.url, []]);
      expect(JSON.parse(res.body)).toMatchObject({ error: { message: expect.stringContaining('server.bodyLimit') } });
    }
  });

  it('still answers valid requests, logged no error, and left no promise rejected', async () => {
    const before = { anthropic: anthropic.requests.length, openai: openai.requests.length };
    for (const kernel of kernels) {
      for (const door of Object.values(DOORS)) {
        const res = await kernel.inject({ method: 'POST', url: door.url, payload: VALID[door.name] });
        expect([door.url, res.statusCode]).toEqual([door.url, 200]);
      }
    }
    // One per kernel for each door that calls a model (count_tokens is answered locally).
    expect({ anthropic: anthropic.requests.length - before.anthropic, openai: openai.requests.length - before.openai }).toEqual({ anthropic: 3, openai: 3 });
    expect(logs.lines().filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(rejections).toEqual([]);
  });
});
