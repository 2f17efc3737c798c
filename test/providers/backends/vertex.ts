/**
 * The scenario vocabulary for the fake Vertex AI: its Claude endpoints
 * (Anthropic Messages, the model in the URL) and its Gemini endpoints, on
 * Vertex or on the Gemini API.
 */
import type { FakeVertex } from '../../fakes/vertex.js';
import type { ScenarioBackend, SeenRequest } from '../scenarios.js';
import { seenAnthropic } from './anthropic.js';

/** The model and the streaming flag, from a Vertex or Gemini API path (`…/models/M:method`). */
export function fromPath(path: string): { model: string | undefined; stream: boolean } {
  const match = /\/models\/([^/:?]+):([A-Za-z]+)/.exec(path);
  return { model: match ? decodeURIComponent(match[1] as string) : undefined, stream: /^stream/.test(match?.[2] ?? '') };
}

export function vertexClaudeBackend(fake: FakeVertex): ScenarioBackend {
  return {
    answer: ({ text, toolCalls, usage }) =>
      fake.enqueueClaude({
        ...(text !== undefined && { text }),
        ...(toolCalls && { toolUses: toolCalls }),
        usage: { input: usage.input, output: usage.output, ...(usage.cached !== undefined && { cacheRead: usage.cached }) },
      }),
    // Quota and auth failures on Vertex come from Google's front, in Google's shape.
    fail: (status, message, headers) => fake.enqueueClaude({ googleError: { status, message }, ...(headers && { headers }) }),
    seen: () => {
      const request = fake.modelRequests.at(-1)!;
      return { ...seenAnthropic(request), ...fromPath(request.path) };
    },
  };
}

interface Part {
  text?: string;
  inlineData?: unknown;
  functionCall?: { name: string };
  functionResponse?: { name: string; response: { output?: unknown; error?: unknown } };
}

export function geminiBackend(fake: FakeVertex): ScenarioBackend {
  return {
    answer: ({ text, toolCalls, usage }) =>
      fake.enqueueGemini({
        ...(text !== undefined && { text }),
        ...(toolCalls && { functionCalls: toolCalls.map((c) => ({ name: c.name, args: c.input })) }),
        usage: { prompt: usage.input + (usage.cached ?? 0), candidates: usage.output, ...(usage.cached !== undefined && { cached: usage.cached }) },
      }),
    fail: (status, message, headers) => fake.enqueueGemini({ googleError: { status, message }, ...(headers && { headers }) }),
    seen: () => seenGemini(fake.modelRequests.at(-1)!),
  };
}

export function seenGemini(request: { path: string; json: unknown; headers: SeenRequest['headers'] }): SeenRequest {
  const body = request.json as { contents: Array<{ role: string; parts: Part[] }>; tools?: Array<{ functionDeclarations: Array<{ name: string }> }> };
  const parts = body.contents.flatMap((c) => c.parts);
  const lastUser = body.contents.filter((c) => c.role === 'user').at(-1);
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  return {
    ...fromPath(request.path),
    tools: (body.tools ?? []).flatMap((t) => t.functionDeclarations.map((f) => f.name)),
    toolCalls: parts.filter((p) => p.functionCall).map((p) => ({ name: p.functionCall!.name })),
    toolResults: parts
      .filter((p) => p.functionResponse)
      .map(({ functionResponse: { response } = { response: {} } }) =>
        'error' in response ? { text: text(response.error), isError: true } : { text: text(response.output ?? response) },
      ),
    images: parts.filter((p) => p.inlineData).length,
    lastUserText: (lastUser?.parts ?? []).filter((p) => p.text !== undefined).map((p) => p.text).join(''),
    headers: request.headers,
  };
}
