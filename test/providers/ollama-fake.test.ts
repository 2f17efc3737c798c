/**
 * The fake Ollama itself, read with plain fetch: what it writes is what a
 * real server writes, line for line, and its failure knobs do what they say.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readStreamBody } from '../fakes/sse.js';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.js';

let fake: FakeOllama;
beforeEach(async () => {
  fake = await startFakeOllama({ models: ['qwen2.5-coder:7b'] });
});
afterEach(() => fake.close());

const chat = (body: object) => fetch(`${fake.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const hi = { model: 'qwen2.5-coder:7b', messages: [{ role: 'user', content: 'hi' }] };

describe('fake Ollama', () => {
  it('lists its models, tells its version, and answers unknown routes as Ollama does', async () => {
    const tags = (await (await fetch(`${fake.url}/api/tags`)).json()) as { models: Array<{ name: string }> };
    expect(tags.models.map((m) => m.name)).toEqual(['qwen2.5-coder:7b']);
    expect(await (await fetch(`${fake.url}/api/version`)).json()).toEqual({ version: expect.any(String) });
    const missing = await fetch(`${fake.url}/v1/messages`, { method: 'POST' });
    expect([missing.status, await missing.text()]).toEqual([404, '404 page not found']);
  });

  it('answers a model it does not have with Ollama\'s 404, and a missing model with 400', async () => {
    const res = await chat({ ...hi, model: 'llama3.2' });
    expect([res.status, await res.json()]).toEqual([404, { error: 'model "llama3.2" not found, try pulling it first' }]);
    expect((await chat({ messages: [] })).status).toBe(400);
  });

  it('streams NDJSON by default: one chunk a line, thinking, text, whole tool calls, then done with the counts', async () => {
    fake.enqueue({ thinking: 'hmm', text: 'Hi there', toolCalls: [{ name: 'read', arguments: { path: 'a' } }], usage: { prompt: 7, eval: 3 } });
    const res = await chat(hi);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const { text } = await readStreamBody(res);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.message)).toEqual([
      { role: 'assistant', content: '', thinking: 'hmm' },
      { role: 'assistant', content: 'Hi ' },
      { role: 'assistant', content: 'there' },
      { role: 'assistant', content: '', tool_calls: [{ function: { index: 0, name: 'read', arguments: { path: 'a' } } }] },
      { role: 'assistant', content: '' },
    ]);
    expect(lines.slice(0, -1).every((l) => l.done === false)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ model: 'qwen2.5-coder:7b', done: true, done_reason: 'stop', prompt_eval_count: 7, eval_count: 3 });
  });

  it('answers stream: false with one JSON object', async () => {
    fake.enqueue({ text: 'whole', toolCalls: [{ name: 'now', arguments: {}, id: 'call_1' }] });
    const res = await chat({ ...hi, stream: false });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({
      message: { role: 'assistant', content: 'whole', tool_calls: [{ id: 'call_1', function: { name: 'now', arguments: {} } }] },
      done: true,
      done_reason: 'stop',
    });
  });

  it('cuts lines across writes, leaves off the last newline, sends an error line, or dies, on demand', async () => {
    fake.enqueue(
      { text: 'a b', splitLines: 4, noFinalNewline: true },
      { text: 'a b c', errorAfterLines: { after: 1, message: 'boom' } },
      { text: 'a b c', dieAfterLines: 2 },
      { text: 'a b', omitDone: true },
    );
    let body = await readStreamBody(await chat(hi));
    expect(body.text.endsWith('}')).toBe(true);
    expect(body.text.split('\n').map((l) => JSON.parse(l) as { done: boolean }).at(-1)?.done).toBe(true);

    body = await readStreamBody(await chat(hi));
    expect(body.text.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown).at(-1)).toEqual({ error: 'boom' });

    body = await readStreamBody(await chat(hi));
    expect(body.error).toBeDefined();
    expect(body.text.trimEnd().split('\n')).toHaveLength(2);

    body = await readStreamBody(await chat(hi));
    expect(body.error).toBeUndefined();
    expect(body.text.trimEnd().split('\n').map((l) => JSON.parse(l) as { done: boolean }).some((l) => l.done)).toBe(false);
  });

  it('echoes the last user message with nothing queued', async () => {
    const res = await chat({ ...hi, stream: false });
    expect(await res.json()).toMatchObject({ message: { content: 'echo: hi' } });
  });
});
