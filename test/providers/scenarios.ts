/**
 * The scenario table every provider passes: the official Anthropic SDK
 * against a real Lynkr on a socket, the provider plugin behind it, and that
 * provider's fake upstream behind that. A provider's test describes its fake
 * in one small vocabulary (`ScenarioBackend`) and calls `providerScenarios`.
 *
 * Answers are written in Anthropic's terms (usage `input` excludes cached
 * tokens); each fake encodes them in its own wire format, and each row
 * asserts what the SDK reads back.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Anthropic from '@anthropic-ai/sdk';
import type { Kernel } from '../../kernel/kernel.js';
import type { PluginEntry } from '../../kernel/config/schema.js';
import { testKernel } from '../helpers/kernel.js';

/** An answer for the fake to give, streamed when the request streams. */
export interface ScenarioAnswer {
  text?: string;
  toolCalls?: Array<{ id: string; name: string; input: Record<string, unknown> }>;
  /** `input` does not include `cached`, as in Anthropic's usage. */
  usage: { input: number; output: number; cached?: number };
}

/** The last request the fake received, in a wire-neutral view. */
export interface SeenRequest {
  /** The model the upstream was asked for (from the body, or the URL where the wire puts it there). */
  model: string | undefined;
  stream: boolean;
  /** Names of the tools offered. */
  tools: string[];
  /** Tool calls in the assistant history. `id` is absent on wires without call ids (Gemini). */
  toolCalls: Array<{ id?: string; name: string }>;
  /** Tool results sent back, in order. */
  toolResults: Array<{ id?: string; text: string; isError?: boolean }>;
  /** Images in the request. */
  images: number;
  /** The text of the last user turn (tool results aside). */
  lastUserText: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A provider's fake upstream, scripted through one vocabulary. */
export interface ScenarioBackend {
  answer(answer: ScenarioAnswer): void;
  /** The upstream fails before the first byte with this status, message and headers. */
  fail(status: number, message: string, headers?: Record<string, string>): void;
  seen(): SeenRequest;
}

export interface ScenarioSetup {
  backend: ScenarioBackend;
  /** The provider plugin entries that put the provider on the fake. */
  plugins: PluginEntry[];
  /** `provider:model` for router-static. */
  target: string;
  /** Rows the upstream cannot serve, each with the reason, printed in the test name. */
  unsupported?: { images?: string; cachedTokens?: string };
  /** Whether the upstream keeps tool call ids (false for Gemini, which matches calls by name). */
  toolCallIds?: boolean;
  close(): Promise<void>;
}

const weather = { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } };
const time = { name: 'get_time', description: 'Local time in a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } };
const noParams = { name: 'list_cities', description: 'Every known city', input_schema: { type: 'object' as const, properties: {} } };
const tools = [weather, time, noParams];

const THREE_CALLS: ScenarioAnswer = {
  text: 'Checking.',
  toolCalls: [
    { id: 'call_a', name: 'get_weather', input: { city: 'Paris' } },
    { id: 'call_b', name: 'get_time', input: { city: 'Tokyo' } },
    { id: 'call_c', name: 'list_cities', input: {} },
  ],
  usage: { input: 30, output: 12 },
};

/** A 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const user = (text: string) => ({ role: 'user' as const, content: text });

/** Register the table for one provider. */
export function providerScenarios(name: string, setup: () => Promise<ScenarioSetup>): void {
  describe(`provider ${name}: the scenario table, with the Anthropic SDK as caller`, () => {
    let s: ScenarioSetup;
    let kernel: Kernel;
    let client: Anthropic;

    beforeAll(async () => {
      s = await setup();
      kernel = await testKernel({
        server: { port: 0 },
        plugins: ['api-anthropic', ...s.plugins, ['router-static', { target: s.target }]],
      });
      const { url } = await kernel.start();
      client = new Anthropic({ baseURL: url, apiKey: 'client-key', maxRetries: 0 });
    });
    afterAll(async () => {
      await kernel?.stop();
      await s?.close();
    });

    const [provider, model] = splitTarget(() => s.target);

    it('answers text', async () => {
      s.backend.answer({ text: 'Hello from upstream', usage: { input: 11, output: 4 } });
      const { data, response } = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [user('hi')] }).withResponse();
      expect(data.content).toEqual([{ type: 'text', text: 'Hello from upstream' }]);
      expect(data.stop_reason).toBe('end_turn');
      expect(data.usage).toMatchObject({ input_tokens: 11, output_tokens: 4 });
      expect(response.headers.get('x-lynkr-provider')).toBe(provider());
      expect(s.backend.seen()).toMatchObject({ stream: false, lastUserText: 'hi', model: model() });
    });

    it('streams text', async () => {
      s.backend.answer({ text: 'Streaming works fine here', usage: { input: 9, output: 5 } });
      const stream = client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [user('stream please')] });
      const deltas: string[] = [];
      stream.on('text', (t) => deltas.push(t));
      const final = await stream.finalMessage();
      expect(final.content).toEqual([{ type: 'text', text: 'Streaming works fine here' }]);
      expect(deltas.join('')).toBe('Streaming works fine here');
      expect(final.stop_reason).toBe('end_turn');
      expect(final.usage).toMatchObject({ input_tokens: 9, output_tokens: 5 });
      expect(s.backend.seen()).toMatchObject({ stream: true, lastUserText: 'stream please' });
    });

    it.each([false, true])('answers three parallel tool calls (stream: %s)', async (streamed) => {
      s.backend.answer(THREE_CALLS);
      const params = { model: 'claude-sonnet-4-6', max_tokens: 200, tools, messages: [user('weather in Paris, time in Tokyo, and the cities')] };
      const message = streamed ? await client.messages.stream(params).finalMessage() : await client.messages.create(params);
      const calls = message.content.filter((b) => b.type === 'tool_use');
      expect(calls.map((c) => [c.name, c.input])).toEqual([
        ['get_weather', { city: 'Paris' }],
        ['get_time', { city: 'Tokyo' }],
        ['list_cities', {}],
      ]);
      expect(new Set(calls.map((c) => c.id)).size).toBe(3);
      for (const c of calls) expect(c.id).toMatch(/\S/);
      expect(message.stop_reason).toBe('tool_use');
      expect(s.backend.seen().tools).toEqual(['get_weather', 'get_time', 'list_cities']);
    });

    it('sends a tool round trip back upstream in order', async () => {
      s.backend.answer({ text: 'Sunny, and it is noon.', usage: { input: 40, output: 8 } });
      const message = await client.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 100,
        tools,
        messages: [
          user('weather in Paris and time in Tokyo?'),
          {
            role: 'assistant',
            content: [
              { type: 'tool_use', id: 'toolu_w', name: 'get_weather', input: { city: 'Paris' } },
              { type: 'tool_use', id: 'toolu_t', name: 'get_time', input: { city: 'Tokyo' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_w', content: 'sunny' },
              { type: 'tool_result', tool_use_id: 'toolu_t', content: [{ type: 'text', text: 'no clock' }], is_error: true },
            ],
          },
        ],
      });
      expect(message.content).toEqual([{ type: 'text', text: 'Sunny, and it is noon.' }]);
      const seen = s.backend.seen();
      expect(seen.toolCalls.map((c) => c.name)).toEqual(['get_weather', 'get_time']);
      expect(seen.toolResults.map((r) => r.text)).toEqual(['sunny', expect.stringContaining('no clock')]);
      // The failed call stays marked as failed: a flag where the wire has one, else in the text.
      const failed = seen.toolResults[1]!;
      expect(failed.isError === true || /error/i.test(failed.text)).toBe(true);
      if (s.toolCallIds !== false) {
        expect(seen.toolCalls.map((c) => c.id)).toEqual(['toolu_w', 'toolu_t']);
        expect(seen.toolResults.map((r) => r.id)).toEqual(['toolu_w', 'toolu_t']);
      }
    });

    it('sends an image', async () => {
      if (s.unsupported?.images) {
        expect(s.unsupported.images).toMatch(/\S/);
        return;
      }
      s.backend.answer({ text: 'A single pixel.', usage: { input: 20, output: 4 } });
      const message = await client.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 100,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
              { type: 'text', text: 'what is this?' },
            ],
          },
        ],
      });
      expect(message.content).toEqual([{ type: 'text', text: 'A single pixel.' }]);
      expect(s.backend.seen()).toMatchObject({ images: 1, lastUserText: 'what is this?' });
    });

    it.each([false, true])('maps cached tokens to cache_read_input_tokens (stream: %s)', async (streamed) => {
      if (s.unsupported?.cachedTokens) {
        expect(s.unsupported.cachedTokens).toMatch(/\S/);
        return;
      }
      s.backend.answer({ text: 'cached', usage: { input: 10, output: 2, cached: 90 } });
      const params = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [user('again')] };
      const message = streamed ? await client.messages.stream(params).finalMessage() : await client.messages.create(params);
      expect(message.usage).toMatchObject({ input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 90 });
    });

    it.each([false, true])('answers an upstream 429 with its status and retry-after (stream: %s)', async (streamed) => {
      s.backend.fail(429, 'slow down', { 'retry-after': '7' });
      const params = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [user('hi')] };
      const error = await (streamed ? client.messages.stream(params).finalMessage() : client.messages.create(params)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Anthropic.RateLimitError);
      const api = error as InstanceType<typeof Anthropic.APIError>;
      expect(api.status).toBe(429);
      expect(api.headers?.get('retry-after')).toBe('7');
      expect(JSON.stringify(api.error)).toContain('rate_limit_error');
      expect(JSON.stringify(api.error)).toContain('slow down');
    });

    it('answers an upstream 400 as invalid_request_error', async () => {
      s.backend.fail(400, 'bad things in the request');
      const error = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [user('hi')] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect(JSON.stringify((error as InstanceType<typeof Anthropic.APIError>).error)).toContain('invalid_request_error');
    });
  });
}

/** Getters for the target's parts, read when a test runs (the setup runs in beforeAll). */
function splitTarget(target: () => string): [() => string, () => string] {
  const part = (i: number) => () => {
    const t = target();
    const at = t.indexOf(':');
    return i === 0 ? t.slice(0, at) : t.slice(at + 1);
  };
  return [part(0), part(1)];
}
