/**
 * The scenario vocabulary for the fake OpenAI Responses upstream, for every
 * provider that speaks that wire (azure-openai's Responses path, OpenAI's
 * Responses-only models).
 */
import type { FakeResponses } from '../../fakes/openai-responses.js';
import type { ScenarioBackend, SeenRequest } from '../scenarios.js';

type Part = { type: string; text?: string };
interface Item {
  type?: string;
  role?: string;
  content?: string | Part[];
  call_id?: string;
  name?: string;
  output?: string | Part[];
}

export function responsesBackend(fake: FakeResponses): ScenarioBackend {
  return {
    answer: ({ text, toolCalls, usage }) =>
      fake.enqueue({
        ...(text !== undefined && { text }),
        ...(toolCalls && { functionCalls: toolCalls.map((c) => ({ callId: c.id, name: c.name, arguments: JSON.stringify(c.input) })) }),
        // OpenAI counts cached tokens inside input_tokens.
        usage: { input: usage.input + (usage.cached ?? 0), output: usage.output, ...(usage.cached !== undefined && { cached: usage.cached }) },
      }),
    fail: (status, message, headers) => fake.enqueue({ status, error: { message }, ...(headers && { headers }) }),
    seen: () => seenResponses(fake.requests.at(-1)!),
  };
}

export function seenResponses(request: { json: unknown; headers: SeenRequest['headers'] }): SeenRequest {
  const body = request.json as { model?: string; stream?: boolean; input?: string | Item[]; tools?: Array<{ name?: string }> };
  const items: Item[] = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : (body.input ?? []);
  const parts = (content: string | Part[] | undefined): Part[] => (typeof content === 'string' ? [{ type: 'input_text', text: content }] : (content ?? []));
  const messages = items.filter((i) => (i.type ?? 'message') === 'message');
  const lastUser = messages.filter((m) => m.role === 'user').at(-1);
  return {
    model: body.model,
    stream: body.stream === true,
    tools: (body.tools ?? []).map((t) => t.name ?? ''),
    toolCalls: items.filter((i) => i.type === 'function_call').map((i) => ({ id: i.call_id, name: i.name! })),
    toolResults: items
      .filter((i) => i.type === 'function_call_output')
      .map((i) => ({ id: i.call_id, text: parts(i.output).map((p) => p.text ?? '').join('') })),
    images: [...messages.flatMap((m) => parts(m.content)), ...items.flatMap((i) => (Array.isArray(i.output) ? i.output : []))].filter((p) => p.type === 'input_image').length,
    lastUserText: lastUser ? parts(lastUser.content).filter((p) => p.type === 'input_text').map((p) => p.text).join('') : '',
    headers: request.headers,
  };
}
