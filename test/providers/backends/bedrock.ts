/**
 * The scenario vocabulary for the fake Bedrock runtime (Converse and
 * ConverseStream), for the bedrock provider in both of its auth modes.
 */
import { converseCall, type FakeBedrock } from '../../fakes/bedrock.js';
import type { ScenarioBackend, SeenRequest } from '../scenarios.js';

type Part = Record<string, unknown> & {
  text?: string;
  image?: unknown;
  toolUse?: { toolUseId: string; name: string };
  toolResult?: { toolUseId: string; content: Part[]; status?: string };
};

export function bedrockBackend(fake: FakeBedrock): ScenarioBackend {
  return {
    answer: ({ text, toolCalls, usage }) =>
      fake.enqueue({
        ...(text !== undefined && { text }),
        ...(toolCalls && { toolUses: toolCalls }),
        usage: { input: usage.input, output: usage.output, ...(usage.cached !== undefined && { cacheRead: usage.cached }) },
      }),
    fail: (status, message, headers) => fake.enqueue({ status, message, ...(headers && { headers }) }),
    seen: () => seenConverse(fake.requests.at(-1)!),
  };
}

export function seenConverse(request: { path: string; json: unknown; headers: SeenRequest['headers'] }): SeenRequest {
  const call = converseCall(request);
  if (!call) throw new Error(`not a Converse call: ${request.path}`);
  const messages = (call.body.messages ?? []) as Array<{ role: string; content: Part[] }>;
  const parts = messages.flatMap((m) => m.content);
  const lastUser = messages.filter((m) => m.role === 'user').at(-1);
  const tools = (call.body.toolConfig?.tools ?? []) as Array<{ toolSpec?: { name: string } }>;
  return {
    model: call.model,
    stream: call.stream,
    tools: tools.flatMap((t) => (t.toolSpec ? [t.toolSpec.name] : [])),
    toolCalls: parts.flatMap((p) => (p.toolUse ? [{ id: p.toolUse.toolUseId, name: p.toolUse.name }] : [])),
    toolResults: parts.flatMap((p) =>
      p.toolResult
        ? [{ id: p.toolResult.toolUseId, text: p.toolResult.content.map((c) => c.text ?? '').join(''), ...(p.toolResult.status === 'error' && { isError: true }) }]
        : [],
    ),
    images: parts.filter((p) => p.image !== undefined).length,
    lastUserText: lastUser ? lastUser.content.map((p) => p.text ?? '').join('') : '',
    headers: request.headers,
  };
}
