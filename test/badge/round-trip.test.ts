/**
 * The badge and its sanitizer together: an answer goes out with a badge,
 * streamed or whole, on the Anthropic and on the OpenAI Chat surface; the
 * client sends it back as history; the upstream must never see the badge,
 * and must see exactly what its model answered.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { collectMessage, checkGrammar, definePlugin, fromChatRequest, messageToEvents, toChatResponse, toChatStream } from '../../kernel/index.js';
import type {
  ChatChunk,
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ContentBlock,
  Kernel,
  Message,
  MessagesRequest,
  MessagesResponse,
  OtherBlock,
  StreamEvent,
} from '../../kernel/index.js';
import { answer, iterate, testKernel, testSurface } from '../helpers/kernel.js';

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

type Blocks = Array<ContentBlock | OtherBlock>;

/** What the upstream model answers, turn by turn. */
const TOOL_TURN: Blocks = [
  { type: 'thinking', thinking: 'The user wants a.ts.', signature: 'c2lnbmF0dXJl' },
  { type: 'text', text: 'Reading the file.' },
  { type: 'tool_use', id: 'toolu_01', name: 'Read', input: { path: 'a.ts' } },
];
const TEXT_TURN: Blocks = [{ type: 'text', text: 'It exports one function, `main`.' }];

/** The events of `msg` as an upstream streams them: text in small pieces, pings between. */
function live(msg: MessagesResponse): StreamEvent[] {
  return messageToEvents(msg).flatMap((ev): StreamEvent[] => {
    if (ev.type !== 'content_block_delta' || ev.delta.type !== 'text_delta') return [ev];
    const text = ev.delta.text;
    const pieces: StreamEvent[] = [{ type: 'ping' }];
    for (let at = 0; at < text.length; at += 5) pieces.push({ ...ev, delta: { type: 'text_delta', text: text.slice(at, at + 5) } });
    return pieces;
  });
}

/**
 * An upstream that records every request it receives and answers the turns
 * in order, and a tier router's decision.
 */
function upstream(turns: Blocks[]) {
  const received: MessagesRequest[] = [];
  const factory = definePlugin({
    name: 'recording-upstream',
    version: '1.0.0',
    kernel: '^1',
    setup(ctx) {
      ctx.providers.register({
        id: 'ollama',
        wire: 'test',
        async invoke({ request }) {
          received.push(structuredClone(request));
          const content = turns[(received.length - 1) % turns.length]!;
          const stop = content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
          return { events: iterate(live({ ...answer(request, ''), content, stop_reason: stop })) };
        },
      });
      ctx.hooks.on('route', (d) => ({ ...d, provider: 'ollama', model: 'qwen2.5-coder:7b', tier: 'SIMPLE', score: 14, reasons: [...d.reasons, 'tiers'] }));
    },
  });
  return { plugin: factory(), received };
}

/** Surfaces that hand the test what a client would get: every Anthropic event, or OpenAI chunks and completions. */
const surfaces = definePlugin({
  name: 'wire-surfaces',
  version: '1.0.0',
  kernel: '^1',
  setup(ctx) {
    ctx.http.route({
      method: 'POST',
      url: '/test/stream',
      async handler(req, reply, ex) {
        const result = await ctx.pipeline.handle(req.body as MessagesRequest, ex);
        const events: StreamEvent[] = [];
        for await (const ev of result.events) events.push(ev);
        return reply.send({ events });
      },
    });
    ctx.http.route({
      method: 'POST',
      url: '/test/chat',
      async handler(req, reply, ex) {
        const body = req.body as ChatRequest;
        const result = await ctx.pipeline.handle(fromChatRequest(body), ex);
        const opts = { id: 'chatcmpl-1', created: 0, model: body.model ?? '' };
        if (!body.stream) return reply.send(toChatResponse(await collectMessage(result.events), opts));
        const chunks: ChatChunk[] = [];
        for await (const chunk of toChatStream(result.events, { ...opts, includeUsage: false })) chunks.push(chunk);
        return reply.send({ chunks });
      },
    });
  },
});

const BADGE = '*[Lynkr] SIMPLE → qwen2.5-coder:7b (ollama) · score 14*\n\n';

async function boot(turns: Blocks[]) {
  const up = upstream(turns);
  kernel = await testKernel({ plugins: [testSurface(), surfaces(), 'badge-sanitizer', ['badge', { enabled: true }], up.plugin] });
  return up.received;
}

const body = (messages: Message[], stream: boolean): MessagesRequest => ({ model: 'claude-sonnet-4-5', max_tokens: 1024, stream, messages });

/** One Anthropic turn: the answer's content as the client got it (streamed events checked against the grammar). */
async function anthropicTurn(messages: Message[], stream: boolean): Promise<Blocks> {
  if (!stream) {
    const res = await kernel!.inject({ method: 'POST', url: '/test/messages', payload: body(messages, false) });
    expect(res.statusCode).toBe(200);
    return (res.json().message as MessagesResponse).content;
  }
  const res = await kernel!.inject({ method: 'POST', url: '/test/stream', payload: body(messages, true) });
  expect(res.statusCode).toBe(200);
  const events = res.json().events as StreamEvent[];
  expect(checkGrammar(events)).toEqual([]);
  return (await collectMessage(iterate(events))).content;
}

/** Every text any upstream request carried, system and tool results included. */
const upstreamText = (received: MessagesRequest[]) => JSON.stringify(received);

const toolResult = (id: string): Message => ({ role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'export function main() {}' }] });

describe.each([
  ['streaming', true],
  ['not streaming', false],
])('Anthropic surface, %s', (_name, stream) => {
  it('shows the badge first, and the upstream gets back exactly what its model answered', async () => {
    const received = await boot([TOOL_TURN, TEXT_TURN]);
    const history: Message[] = [{ role: 'user', content: 'What is in a.ts?' }];

    const first = await anthropicTurn(history, stream);
    expect(first).toEqual([{ type: 'text', text: BADGE }, ...TOOL_TURN]);
    history.push({ role: 'assistant', content: first }, toolResult('toolu_01'));

    const second = await anthropicTurn(history, stream);
    expect(second).toEqual([{ type: 'text', text: BADGE }, ...TEXT_TURN]);
    history.push({ role: 'assistant', content: second }, { role: 'user', content: 'Thanks' });

    await anthropicTurn(history, stream);
    expect(received).toHaveLength(3);
    expect(received[2]!.messages).toEqual([
      { role: 'user', content: 'What is in a.ts?' },
      { role: 'assistant', content: TOOL_TURN },
      toolResult('toolu_01'),
      { role: 'assistant', content: TEXT_TURN },
      { role: 'user', content: 'Thanks' },
    ]);
    expect(upstreamText(received)).not.toContain('[Lynkr]');
  });

  it('strips the badge from history a client flattened to strings', async () => {
    const received = await boot([TEXT_TURN]);
    const first = await anthropicTurn([{ role: 'user', content: 'hi' }], stream);
    const flat = first.map((b) => (b.type === 'text' ? (b.text as string) : '')).join('');
    expect(flat.startsWith(BADGE)).toBe(true);
    await anthropicTurn([{ role: 'user', content: 'hi' }, { role: 'assistant', content: flat }, { role: 'user', content: 'more' }], stream);
    expect(received[1]!.messages[1]).toEqual({ role: 'assistant', content: 'It exports one function, `main`.' });
    expect(upstreamText(received)).not.toContain('[Lynkr]');
  });
});

describe('OpenAI Chat surface (the same IR events, encoded by the Chat Completions codec)', () => {
  const chat = (messages: ChatMessage[], stream: boolean) =>
    kernel!.inject({ method: 'POST', url: '/test/chat', payload: { model: 'gpt-4o', stream, messages } satisfies ChatRequest });

  it('streams the badge as the leading content delta, and strips it when the answer comes back', async () => {
    const received = await boot([TOOL_TURN, TEXT_TURN]);
    const messages: ChatMessage[] = [{ role: 'user', content: 'What is in a.ts?' }];

    const chunks = (await chat(messages, true)).json().chunks as ChatChunk[];
    const deltas = chunks.map((c) => c.choices[0]?.delta ?? {});
    expect(deltas[0]).toEqual({ role: 'assistant', content: '' });
    expect(deltas[1]).toEqual({ content: BADGE });
    const content = deltas.map((d) => d.content ?? '').join('');
    expect(content).toBe(`${BADGE}Reading the file.`);
    const calls = deltas.flatMap((d) => d.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: 'toolu_01', function: { name: 'Read' } });

    messages.push(
      { role: 'assistant', content, tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'Read', arguments: '{"path":"a.ts"}' } }] },
      { role: 'tool', tool_call_id: 'toolu_01', content: 'export function main() {}' },
    );
    await chat(messages, true);
    expect(received[1]!.messages[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'Reading the file.' }, { type: 'tool_use', id: 'toolu_01', name: 'Read', input: { path: 'a.ts' } }],
    });
    expect(upstreamText(received)).not.toContain('[Lynkr]');
  });

  it('puts the badge at the start of a whole completion, and strips it when the answer comes back', async () => {
    const received = await boot([TEXT_TURN]);
    const completion = (await chat([{ role: 'user', content: 'hi' }], false)).json() as ChatResponse;
    const content = completion.choices[0]!.message.content;
    expect(content).toBe(`${BADGE}It exports one function, \`main\`.`);

    await chat([{ role: 'user', content: 'hi' }, { role: 'assistant', content }, { role: 'user', content: 'more' }], false);
    expect(received[1]!.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'It exports one function, `main`.' }] });
    expect(upstreamText(received)).not.toContain('[Lynkr]');
  });

  it('strips a badge-only answer (tool calls and no text) from the assistant turn', async () => {
    const received = await boot([[TOOL_TURN[2]!], TEXT_TURN]);
    const completion = (await chat([{ role: 'user', content: 'read a.ts' }], false)).json() as ChatResponse;
    const message = completion.choices[0]!.message;
    expect(message.content).toBe(BADGE);
    await chat([{ role: 'user', content: 'read a.ts' }, message as ChatMessage, { role: 'tool', tool_call_id: 'toolu_01', content: 'x' }], false);
    expect(received[1]!.messages[1]).toEqual({ role: 'assistant', content: [TOOL_TURN[2]] });
    expect(upstreamText(received)).not.toContain('[Lynkr]');
  });
});
