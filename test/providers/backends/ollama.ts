/**
 * The scenario vocabulary for the fake Ollama server on its native API
 * (`/api/chat`), for the `ollama` provider.
 */
import type { FakeOllama } from '../../fakes/ollama.js';
import type { ScenarioBackend, SeenRequest } from '../scenarios.js';

interface OllamaWireMessage {
  role: string;
  content?: string;
  images?: string[];
  tool_calls?: Array<{ id?: string; function: { name: string } }>;
  tool_name?: string;
  tool_call_id?: string;
}

export function ollamaBackend(fake: FakeOllama): ScenarioBackend {
  return {
    // Ollama reports no cached tokens: `cached` has nowhere to go (the table skips that row for Ollama).
    answer: ({ text, toolCalls, usage }) =>
      fake.enqueue({
        ...(text !== undefined && { text }),
        ...(toolCalls && { toolCalls: toolCalls.map((c) => ({ name: c.name, arguments: c.input })) }),
        usage: { prompt: usage.input, eval: usage.output },
      }),
    fail: (status, message, headers) => fake.enqueue({ status, error: message, ...(headers && { headers }) }),
    seen: () => seenOllama(fake.requests.at(-1)!),
  };
}

export function seenOllama(request: { json: unknown; headers: SeenRequest['headers'] }): SeenRequest {
  const body = request.json as { model?: string; stream?: boolean; messages: OllamaWireMessage[]; tools?: Array<{ function: { name: string } }> };
  const lastUser = body.messages.filter((m) => m.role === 'user').at(-1);
  return {
    model: body.model,
    // Ollama streams unless told otherwise.
    stream: body.stream !== false,
    tools: (body.tools ?? []).map((t) => t.function.name),
    toolCalls: body.messages.flatMap((m) => m.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name })),
    toolResults: body.messages.filter((m) => m.role === 'tool').map((m) => ({ id: m.tool_call_id, text: m.content ?? '' })),
    images: body.messages.reduce((n, m) => n + (m.images?.length ?? 0), 0),
    lastUserText: lastUser?.content ?? '',
    headers: request.headers,
  };
}
