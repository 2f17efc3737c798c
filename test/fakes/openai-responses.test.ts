/**
 * The fake Responses upstream, judged by the official `openai` SDK: its
 * stream accumulator must rebuild the same Response the fake answers
 * without streaming.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { fetch } from 'undici';
import { startFakeResponses, type FakeResponses } from './openai-responses.js';
import { parseSse } from './sse.js';

let fake: FakeResponses;
let client: OpenAI;
beforeEach(async () => {
  fake = await startFakeResponses({ apiKey: 'sk-fake' });
  client = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'sk-fake', maxRetries: 0 });
});
afterEach(async () => {
  await fake.close();
});

const RICH = {
  reasoning: { summary: 'Need the file.', encrypted: 'enc-blob' },
  text: 'Reading it.',
  functionCalls: [
    { callId: 'call_1', name: 'read', arguments: '{"path":"/a"}' },
    { callId: 'call_2', name: 'now', arguments: '' },
  ],
  usage: { input: 30, output: 9, cached: 20 },
};

describe('fake Responses upstream', () => {
  it('streams typed events that the SDK accumulates into the same Response it answers whole', async () => {
    fake.enqueue(RICH, RICH);
    const params = { model: 'gpt-x', input: 'go', include: ['reasoning.encrypted_content' as const] };
    const streamed = await client.responses.stream(params).finalResponse();
    const whole = await client.responses.create(params);
    const items = (n: number) => [
      { type: 'reasoning', id: `rs_fake${n}`, summary: [{ type: 'summary_text', text: 'Need the file.' }], encrypted_content: 'enc-blob' },
      { type: 'message', id: `msg_fake${n}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Reading it.', annotations: [], logprobs: [] }] },
      { type: 'function_call', id: `fc_fake${n}_0`, call_id: 'call_1', name: 'read', arguments: '{"path":"/a"}', status: 'completed' },
      { type: 'function_call', id: `fc_fake${n}_1`, call_id: 'call_2', name: 'now', arguments: '', status: 'completed' },
    ];
    // The SDK's accumulator adds its own `parsed` fields: the fake's own fields must all be there.
    expect(streamed.output).toMatchObject(items(1));
    expect(whole.output).toEqual(items(2));
    expect(streamed.usage).toMatchObject({ input_tokens: 30, output_tokens: 9, input_tokens_details: { cached_tokens: 20 } });
    expect(streamed.status).toBe('completed');
  });

  it('names each frame after its type and numbers the events from 0', async () => {
    fake.enqueue({ text: 'a b c' });
    const res = await fetch(`${fake.url}/openai/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'api-key': 'sk-fake' },
      body: JSON.stringify({ model: 'gpt-x', input: 'hi', stream: true }),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const frames = parseSse(await res.text());
    const events = frames.map((f) => JSON.parse(f.data) as { type: string; sequence_number: number });
    expect(frames.map((f) => f.event)).toEqual(events.map((e) => e.type));
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
  });

  it('ends a stream with response.failed or an error event, and answers errors with their status', async () => {
    fake.enqueue({ text: 'one two', fail: { code: 'server_error', message: 'boom' } }, { text: 'x', fail: { code: 'rate_limit_exceeded', message: 'slow', as: 'error', afterEvents: 2 } });
    const post = () =>
      fetch(`${fake.url}/v1/responses`, { method: 'POST', headers: { authorization: 'Bearer sk-fake' }, body: JSON.stringify({ model: 'm', input: 'hi', stream: true }) });
    const failed = parseSse(await (await post()).text()).map((f) => JSON.parse(f.data) as { type: string; response?: { error: unknown } });
    expect(failed.at(-2)?.type).toBe('response.output_text.delta');
    expect(failed.at(-1)).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { code: 'server_error', message: 'boom' } } });
    const errored = parseSse(await (await post()).text()).map((f) => JSON.parse(f.data) as { type: string });
    expect(errored.map((e) => e.type)).toEqual(['response.created', 'response.in_progress', 'error']);
    expect(errored.at(-1)).toMatchObject({ code: 'rate_limit_exceeded', message: 'slow' });

    fake.enqueue({ status: 429, error: { message: 'slow down' }, headers: { 'retry-after': '2' } });
    const error = await client.responses.create({ model: 'm', input: 'hi' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('2');
  });

  it('refuses a request without the key, and echoes the last user text when nothing is queued', async () => {
    const bad = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'wrong', maxRetries: 0 });
    await expect(bad.responses.create({ model: 'm', input: 'hi' })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const res = await client.responses.create({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_text', text: 'ping' }] }] });
    expect(res.output_text).toBe('echo: ping');
  });
});
