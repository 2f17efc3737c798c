import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { startFakeResponses, type FakeResponses } from '../../test/fakes/openai-responses.js';
import { sendJson } from '../../test/fakes/server.js';
import { checkGrammar, collectMessage } from '../ir/stream.js';
import type { MessagesRequest, StreamEvent } from '../ir/types.js';
import { createExchange } from '../pipeline/exchange.js';
import type { InvokeCall } from '../pipeline/types.js';
import { UpstreamClient } from '../upstream/client.js';
import { openaiResponsesAdapter, type ResponsesAdapterSettings } from './openai-responses.js';

let fake: FakeResponses;
let client: UpstreamClient;
beforeEach(async () => {
  fake = await startFakeResponses();
  client = new UpstreamClient();
});
afterEach(async () => {
  await client.close();
  await fake.close();
});

const adapter = (extra: Partial<ResponsesAdapterSettings> = {}) =>
  openaiResponsesAdapter({ id: 'up', url: `${fake.url}/v1/responses`, headers: { authorization: 'Bearer k' }, model: 'gpt-up', ...extra }, client);

const call = (request: Partial<MessagesRequest>, model = ''): InvokeCall => ({
  request: { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], ...request },
  decision: { provider: 'up', model, reasons: [] },
  exchange: createExchange({ id: 'req_1', surface: 'test', log: pino({ level: 'silent' }) }),
});

async function all(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const ev of events) out.push(ev);
  return out;
}

describe('openaiResponsesAdapter', () => {
  it('is the Responses family, lists its models and resolves a requested name through its map', () => {
    const a = adapter({ models: ['gpt-other'], modelMap: { haiku: 'gpt-small' } });
    expect(a).toMatchObject({ id: 'up', wire: 'openai-responses', defaultModel: 'gpt-up' });
    expect(a.models!().map((m) => m.id)).toEqual(['gpt-up', 'gpt-other']);
    expect(a.resolveModel!('claude-haiku-4-5')).toBe('gpt-small');
    expect(a.resolveModel!('claude-opus-4-1')).toBe('gpt-up');
  });

  it('posts the request with its headers, per-request auth and body transform, clamped to the model\'s output', async () => {
    const a = adapter({
      url: `${fake.url}/deployments/{model}/responses`,
      auth: () => ({ 'x-tenant': 't1' }),
      capabilities: { maxOutputTokens: 50 },
      body: (body, model) => ({ ...body, metadata: { model } }),
    });
    fake.enqueue({ text: 'streamed' });
    const result = await a.invoke(call({ stream: true }, 'gpt 5'));
    const events = await all(result.events);
    expect(checkGrammar(events)).toEqual([]);
    expect(result.headers).toEqual({ 'upstream-request-id': 'req_fake1' });
    const sent = fake.requests[0]!;
    expect(sent.path).toBe('/deployments/gpt%205/responses');
    expect(sent.headers).toMatchObject({ authorization: 'Bearer k', 'x-tenant': 't1', accept: 'text/event-stream', 'content-type': 'application/json' });
    expect(sent.json).toEqual({ model: 'gpt 5', input: [{ role: 'user', content: 'hi' }], store: false, max_output_tokens: 50, stream: true, metadata: { model: 'gpt 5' } });
  });

  it('answers a whole request from the Response object, and a stream request the server answered as JSON', async () => {
    const a = adapter();
    fake.enqueue(
      { text: 'whole', usage: { input: 12, output: 3, cached: 2 } },
      {
        raw: (_req, res) =>
          sendJson(res, 200, { object: 'response', status: 'completed', incomplete_details: null, output: [{ type: 'message', id: 'm', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'json anyway' }] }], usage: null }),
      },
    );
    const whole = await collectMessage((await a.invoke(call({}))).events);
    expect(whole).toMatchObject({ model: 'gpt-up', content: [{ type: 'text', text: 'whole' }], usage: { input_tokens: 10, output_tokens: 3, cache_read_input_tokens: 2 } });
    expect(fake.requests[0]!.headers.accept).toBe('application/json');
    expect(fake.requests[0]!.json).not.toHaveProperty('stream');
    const json = await collectMessage((await a.invoke(call({ stream: true }))).events);
    expect(json.content).toEqual([{ type: 'text', text: 'json anyway' }]);
  });
});
