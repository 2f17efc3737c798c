/**
 * No secret leaks: known secrets are planted (provider API keys in the
 * config, a client's subscription bearer, a client's x-api-key, a cookie, a
 * Lynkr key) and Lynkr is driven through normal requests, upstream errors
 * that quote the key, a failing config, and the stats route. Every log line
 * (at trace level, from a logger that redacts nothing) and every response
 * body is searched for each secret. And the client's credentials reach no
 * provider but their own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { main, type Io } from '../../kernel/cli/main.js';
import type { Kernel } from '../../kernel/kernel.js';
import { definePlugin } from '../../kernel/plugin/define.js';
import { startFakeAnthropic, startFakeOpenAI, type FakeAnthropic, type FakeOpenAI, type RecordedRequest } from '../fakes/index.js';
import { memoryLogger, testKernel } from '../helpers/kernel.js';

const SECRETS = {
  openaiKey: 'sk-proj-PLANTEDopenaiProviderKey0123456789abcdef',
  anthropicKey: 'sk-ant-api03-PLANTEDanthropicProviderKey0123456789',
  clientBearer: 'sk-ant-oat01-PLANTEDclientSubscriptionToken_987654321',
  clientApiKey: 'sk-ant-api03-PLANTEDclientOwnApiKey_55555555555',
  cookie: 'PLANTEDsessionCookieValue4242424242',
  lynkrKey: 'lk-PLANTED-lynkr-key-0001112223',
  wrongLynkrKey: 'lk-PLANTED-wrong-key-9998887776',
  redisPassword: 'PLANTEDredisPassw0rd777',
} as const;

/** Each secret, and the bits of it a careless encoder could spill on its own (the part after a prefix). */
const needles = Object.entries(SECRETS).flatMap(([name, value]) => [[name, value] as const, [`${name} (core)`, value.slice(value.indexOf('PLANTED'))] as const]);

/** Where each text was seen, for the failure message. */
const seen: Array<{ where: string; text: string }> = [];
const record = (where: string, text: string) => void seen.push({ where, text });

function leaks(): string[] {
  const found: string[] = [];
  for (const { where, text } of seen) {
    for (const [name, needle] of needles) if (text.includes(needle)) found.push(`${name} in ${where}`);
  }
  return [...new Set(found)];
}

let anthropic: FakeAnthropic;
let openai: FakeOpenAI;
let kernel: Kernel;
let url: string;
const logs = memoryLogger('trace');

/** claude-* models go to Anthropic, everything else to OpenAI. */
const byModel = definePlugin({
  name: 'by-model',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    ctx.hooks.on('route', (d, request) => ({
      ...d,
      provider: request.model.startsWith('claude') ? 'anthropic' : 'openai',
      model: request.model.startsWith('claude') ? request.model : 'gpt-test',
      reasons: [...d.reasons, 'by model'],
    }));
  },
});

beforeAll(async () => {
  [anthropic, openai] = await Promise.all([startFakeAnthropic(), startFakeOpenAI()]);
  kernel = await testKernel(
    {
      server: { port: 0 },
      keys: [SECRETS.lynkrKey],
      log: { level: 'trace' },
      plugins: [
        'api-anthropic',
        'api-openai',
        ['provider-anthropic', { baseUrl: anthropic.url, apiKey: SECRETS.anthropicKey, subscriptionHosts: ['127.0.0.1'] }],
        ['provider-openai-compatible', { openai: { baseUrl: `${openai.url}/v1`, apiKey: SECRETS.openaiKey, model: 'gpt-test' } }],
        byModel(),
        // One attempt and no fallback: the upstream's error must reach the client, where it can leak.
        ['resilience', { retry: { attempts: 1 }, fallback: { enabled: false } }],
        'stats',
        ['limits', { requestsPerMinute: 1000 }],
      ],
    },
    { logger: logs.log },
  );
  ({ url } = await kernel.start());
});

afterAll(async () => {
  await kernel?.stop();
  await Promise.all([anthropic?.close(), openai?.close()]);
});

/** Every credential a client might send at once: the Lynkr key, its Claude login, its own API key, a cookie. */
const clientHeaders = (extra: Record<string, string> = {}) => ({
  'content-type': 'application/json',
  'x-lynkr-key': SECRETS.lynkrKey,
  authorization: `Bearer ${SECRETS.clientBearer}`,
  cookie: `session=${SECRETS.cookie}; theme=dark`,
  ...extra,
});

async function call(method: string, route: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  record(`${method} ${route} → ${res.status} body`, text);
  record(`${method} ${route} → ${res.status} headers`, JSON.stringify([...res.headers]));
  return { status: res.status, text };
}

const ask = (model: string, extra: Record<string, unknown> = {}) => ({ model, max_tokens: 32, messages: [{ role: 'user', content: 'hello' }], ...extra });

describe('secrets stay secret', () => {
  it('through normal requests, streamed and whole, on every surface', async () => {
    expect((await call('POST', '/v1/messages', clientHeaders(), ask('claude-sonnet-4-5'))).status).toBe(200);
    expect((await call('POST', '/v1/messages', clientHeaders(), ask('claude-sonnet-4-5', { stream: true }))).status).toBe(200);
    // Without the subscription bearer, with the client's own x-api-key beside the Lynkr key.
    const withApiKey = { 'content-type': 'application/json', 'x-lynkr-key': SECRETS.lynkrKey, 'x-api-key': SECRETS.clientApiKey, cookie: `session=${SECRETS.cookie}` };
    expect((await call('POST', '/v1/messages', withApiKey, ask('claude-sonnet-4-5'))).status).toBe(200);
    expect((await call('POST', '/v1/messages', clientHeaders(), ask('gpt-4o'))).status).toBe(200);
    expect((await call('POST', '/v1/chat/completions', clientHeaders(), { model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] })).status).toBe(200);
    expect((await call('POST', '/v1/chat/completions', clientHeaders(), { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hello' }] })).status).toBe(200);
    expect((await call('POST', '/v1/responses', clientHeaders(), { model: 'gpt-4o', input: 'hello', stream: false })).status).toBe(200);
    expect((await call('POST', '/v1/messages/count_tokens', clientHeaders(), { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hello' }] })).status).toBe(200);
    expect((await call('GET', '/v1/models', clientHeaders())).status).toBe(200);
  });

  it('when the upstream quotes the key it refused, in a status error or in the stream', async () => {
    anthropic.enqueue({ status: 401, error: { type: 'authentication_error', message: `invalid x-api-key: ${SECRETS.anthropicKey}` } });
    const noBearer = { 'content-type': 'application/json', 'x-lynkr-key': SECRETS.lynkrKey };
    expect((await call('POST', '/v1/messages', noBearer, ask('claude-sonnet-4-5'))).status).toBe(401);

    anthropic.enqueue({ status: 401, error: { type: 'authentication_error', message: `invalid bearer token ${SECRETS.clientBearer}` } });
    expect((await call('POST', '/v1/messages', clientHeaders(), ask('claude-sonnet-4-5'))).status).toBe(401);

    openai.enqueue({ status: 401, error: { message: `Incorrect API key provided: ${SECRETS.openaiKey}. You can find your API key at https://platform.openai.com/account/api-keys.`, code: 'invalid_api_key' } });
    expect((await call('POST', '/v1/chat/completions', clientHeaders(), { model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] })).status).toBe(401);

    openai.enqueue({ status: 500, error: { message: `upstream proxy failed for Authorization: Bearer ${SECRETS.openaiKey}` } });
    expect((await call('POST', '/v1/messages', noBearer, ask('gpt-4o'))).status).toBe(502);

    // An error event inside a stream that had begun: the key it quotes must not reach the client's SSE or the log.
    anthropic.enqueue({ midStreamError: { type: 'authentication_error', message: `key ${SECRETS.anthropicKey} was revoked` } });
    const streamed = await call('POST', '/v1/messages', noBearer, ask('claude-sonnet-4-5', { stream: true }));
    // The client still reads the upstream's error, less the key.
    expect(streamed.text).toContain('key [redacted] was revoked');
    anthropic.enqueue({ midStreamError: { type: 'authentication_error', message: `key ${SECRETS.anthropicKey} was revoked` } });
    await call('POST', '/v1/chat/completions', noBearer, { model: 'claude-sonnet-4-5', stream: true, messages: [{ role: 'user', content: 'hello' }] });
    anthropic.enqueue({ midStreamError: { type: 'authentication_error', message: `key ${SECRETS.anthropicKey} was revoked` } });
    await call('POST', '/v1/messages', noBearer, ask('claude-sonnet-4-5'));

    // An OpenAI-style error chunk in a 200 stream (vLLM, OpenRouter), and an error body with status 200.
    const errorChunk = `data: ${JSON.stringify({ error: { message: `key ${SECRETS.openaiKey} is over quota`, code: 429 } })}\n\n`;
    openai.enqueue({ raw: (_req, res) => void res.writeHead(200, { 'content-type': 'text/event-stream' }).end(errorChunk) });
    expect((await call('POST', '/v1/chat/completions', noBearer, { model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hello' }] })).status).toBe(429);
    openai.enqueue({ raw: (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `key ${SECRETS.openaiKey} is over quota` } })) });
    expect((await call('POST', '/v1/messages', noBearer, ask('gpt-4o'))).status).toBe(502);
  });

  it('when the caller sends a wrong Lynkr key, or none', async () => {
    expect((await call('POST', '/v1/messages', { 'content-type': 'application/json', 'x-lynkr-key': SECRETS.wrongLynkrKey, cookie: `s=${SECRETS.cookie}` }, ask('claude-x'))).status).toBe(401);
    expect((await call('POST', '/v1/chat/completions', { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.wrongLynkrKey}` }, ask('gpt-4o'))).status).toBe(401);
    expect((await call('POST', '/v1/messages', { 'content-type': 'application/json', cookie: `s=${SECRETS.cookie}` }, ask('claude-x'))).status).toBe(401);
  });

  it('in GET /v1/lynkr/stats', async () => {
    const stats = await call('GET', '/v1/lynkr/stats', { 'x-lynkr-key': SECRETS.lynkrKey });
    expect(stats.status).toBe(200);
    expect(JSON.parse(stats.text)).toMatchObject({ requests: expect.any(Number) });
  });

  it('in lynkr config check and lynkr plugins, passing and failing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lynkr-secrets-'));
    try {
      const config = (extra: string) => `export default {
  storage: 'redis://lynkr:${SECRETS.redisPassword}@127.0.0.1:1',
  keys: ['${SECRETS.lynkrKey}'],
  teams: { research: { keys: ['${SECRETS.wrongLynkrKey}'] } },
  plugins: [
    'api-anthropic',
    ['provider-anthropic', { baseUrl: 'http://127.0.0.1:1', apiKey: '${SECRETS.anthropicKey}', headers: { cookie: 'session=${SECRETS.cookie}' } }],
    ['provider-openai-compatible', { openai: { baseUrl: 'http://127.0.0.1:1/v1', apiKey: '${SECRETS.openaiKey}' } }],
    ${extra}
  ],
};`;
      const io = (env: Record<string, string> = {}) => {
        const lines: string[] = [];
        const handle: Io = { out: (l) => lines.push(l), err: (l) => lines.push(l), env: { LOG_LEVEL: 'trace', ...env }, cwd: dir, onShutdown: () => undefined };
        return { handle, lines };
      };
      const run = async (name: string, argv: string[], env?: Record<string, string>) => {
        const t = io(env);
        const code = await main(argv, t.handle);
        record(`lynkr ${argv.join(' ')} (${name})`, t.lines.join('\n'));
        return { code, text: t.lines.join('\n') };
      };

      writeFileSync(path.join(dir, 'lynkr.config.ts'), config(''));
      expect((await run('valid', ['config', 'check'])).code).toBe(0);
      expect((await run('valid', ['plugins'])).code).toBe(0);

      // A plugin option of the wrong type right beside the keys.
      writeFileSync(path.join(dir, 'lynkr.config.ts'), config(`['router-static', { target: 42 }],`));
      expect((await run('bad option', ['config', 'check'])).code).toBe(1);
      // A key too short, a schema error on the keys themselves.
      writeFileSync(path.join(dir, 'lynkr.config.ts'), config('').replace(`keys: ['${SECRETS.lynkrKey}']`, `keys: ['${SECRETS.lynkrKey}', 'short']`));
      expect((await run('short key', ['config', 'check'])).code).toBe(1);
      // A syntax error on the line that holds a key: a code frame would quote it.
      writeFileSync(path.join(dir, 'lynkr.config.ts'), config('').replace(`apiKey: '${SECRETS.openaiKey}'`, `apiKey: '${SECRETS.openaiKey}' +* }`));
      expect((await run('syntax error', ['config', 'check'])).code).toBe(1);

      // The environment alone, with provider keys and Lynkr keys in it.
      rmSync(path.join(dir, 'lynkr.config.ts'));
      const env = { MODEL_PROVIDER: 'openai', OPENAI_API_KEY: SECRETS.openaiKey, LYNKR_API_KEYS: SECRETS.lynkrKey, LYNKR_STORAGE: 'memory://' };
      expect((await run('env', ['config', 'check'], env)).code).toBe(0);
      expect((await run('env, bad provider', ['config', 'check'], { ...env, MODEL_PROVIDER: 'nowhere' })).code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('nowhere: not in any response, header or log line', async () => {
    await kernel.stop();
    const lines = logs.lines();
    expect(lines.length).toBeGreaterThan(5);
    // Trace level really was on: the test would prove little otherwise.
    expect(lines.some((l) => l.level === 10 || l.level === 20)).toBe(true);
    for (const line of lines) record(`log line "${String(line.msg)}"`, JSON.stringify(line));
    expect(leaks()).toEqual([]);
  });

  it('and the client\'s credentials reach no provider but their own', () => {
    const text = (r: RecordedRequest) => JSON.stringify(r.headers) + r.body;
    expect(openai.requests.length).toBeGreaterThan(3);
    expect(anthropic.requests.length).toBeGreaterThan(3);
    for (const r of openai.requests) {
      for (const secret of [SECRETS.clientBearer, SECRETS.clientApiKey, SECRETS.cookie, SECRETS.lynkrKey, SECRETS.anthropicKey]) expect(text(r)).not.toContain(secret);
      expect(r.headers.authorization).toBe(`Bearer ${SECRETS.openaiKey}`);
      expect(r.headers.cookie).toBeUndefined();
    }
    for (const r of anthropic.requests) {
      for (const secret of [SECRETS.clientApiKey, SECRETS.cookie, SECRETS.lynkrKey, SECRETS.openaiKey]) expect(text(r)).not.toContain(secret);
      expect(r.headers.cookie).toBeUndefined();
      // The subscription token goes to Anthropic in place of the configured key, never beside it.
      if (r.headers.authorization) {
        expect(r.headers.authorization).toBe(`Bearer ${SECRETS.clientBearer}`);
        expect(r.headers['x-api-key']).toBeUndefined();
      } else {
        expect(r.headers['x-api-key']).toBe(SECRETS.anthropicKey);
      }
    }
  });
});
