/**
 * The scenario vocabulary for the fake OpenAI Chat Completions upstream, for
 * every provider that speaks that wire (openai, openrouter, databricks,
 * llamacpp, lmstudio, azure-openai's chat path, moonshot).
 */
import type { FakeOpenAI } from '../../fakes/index.js';
import type { ScenarioBackend, SeenRequest } from '../scenarios.js';

interface ChatMessage {
  role: string;
  content?: string | Array<{ type: string; text?: string }> | null;
  tool_calls?: Array<{ id: string; function: { name: string } }>;
  tool_call_id?: string;
}

export function openaiChatBackend(fake: FakeOpenAI): ScenarioBackend {
  return {
    answer: ({ text, toolCalls, usage }) =>
      fake.enqueue(
        toolCalls
          ? {
              text,
              toolCalls: toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: JSON.stringify(c.input) })),
              interleave: true,
              usage: { prompt: usage.input + (usage.cached ?? 0), completion: usage.output, ...(usage.cached !== undefined && { cached: usage.cached }) },
            }
          : {
              text: text ?? '',
              usage: { prompt: usage.input + (usage.cached ?? 0), completion: usage.output, ...(usage.cached !== undefined && { cached: usage.cached }) },
            },
      ),
    fail: (status, message, headers) => fake.enqueue({ status, error: { message }, ...(headers && { headers }) }),
    seen: () => seenChat(fake.requests.at(-1)!),
  };
}

export function seenChat(request: { json: unknown; headers: SeenRequest['headers'] }): SeenRequest {
  const body = request.json as { model?: string; stream?: boolean; messages: ChatMessage[]; tools?: Array<{ function: { name: string } }> };
  const messages = body.messages;
  const parts = (m: ChatMessage) => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : (m.content ?? []));
  const lastUser = messages.filter((m) => m.role === 'user').at(-1);
  return {
    model: body.model,
    stream: body.stream === true,
    tools: (body.tools ?? []).map((t) => t.function.name),
    toolCalls: messages.flatMap((m) => m.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name })),
    toolResults: messages
      .filter((m) => m.role === 'tool')
      .map((m) => ({ id: m.tool_call_id, text: parts(m).map((p) => p.text ?? '').join('') })),
    images: messages.flatMap(parts).filter((p) => p.type === 'image_url').length,
    lastUserText: lastUser ? parts(lastUser).filter((p) => p.type === 'text').map((p) => p.text).join('') : '',
    headers: request.headers,
  };
}
