/**
 * The scenario vocabulary for the fake Anthropic Messages upstream, for every
 * provider that speaks that wire (anthropic, azure-anthropic, Vertex's Claude
 * path, zai and moonshot's Anthropic endpoints).
 */
import type { FakeAnthropic } from '../../fakes/index.js';
import type { ScenarioBackend, SeenRequest } from '../scenarios.js';

type Block = { type: string; text?: string; id?: string; name?: string; tool_use_id?: string; is_error?: boolean; content?: string | Block[] };

export function anthropicBackend(fake: FakeAnthropic): ScenarioBackend {
  return {
    answer: ({ text, toolCalls, usage }) =>
      fake.enqueue({
        ...(text !== undefined && { text }),
        ...(toolCalls && { toolUses: toolCalls }),
        usage: { input: usage.input, output: usage.output, ...(usage.cached !== undefined && { cacheRead: usage.cached }) },
      }),
    fail: (status, message, headers) => fake.enqueue({ status, error: { message }, ...(headers && { headers }) }),
    seen: () => seenAnthropic(fake.requests.at(-1)!),
  };
}

export function seenAnthropic(request: { json: unknown; headers: SeenRequest['headers'] }): SeenRequest {
  const body = request.json as { model?: string; stream?: boolean; messages: Array<{ role: string; content: string | Block[] }>; tools?: Array<{ name: string }> };
  const blocks = (content: string | Block[] | undefined): Block[] => (typeof content === 'string' ? [{ type: 'text', text: content }] : (content ?? []));
  const all = body.messages.flatMap((m) => blocks(m.content));
  const lastUser = body.messages.filter((m) => m.role === 'user').at(-1);
  return {
    model: body.model,
    stream: body.stream === true,
    tools: (body.tools ?? []).map((t) => t.name),
    toolCalls: all.filter((b) => b.type === 'tool_use').map((b) => ({ id: b.id, name: b.name! })),
    toolResults: all
      .filter((b) => b.type === 'tool_result')
      .map((b) => ({ id: b.tool_use_id, text: blocks(b.content).map((p) => p.text ?? '').join(''), ...(b.is_error && { isError: true }) })),
    images: all.filter((b) => b.type === 'image').length,
    lastUserText: lastUser ? blocks(lastUser.content).filter((b) => b.type === 'text').map((b) => b.text).join('') : '',
    headers: request.headers,
  };
}
