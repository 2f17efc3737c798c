/**
 * OpenAI's `custom` (free-form input) tools in Chat Completions, which
 * Copilot CLI sends (`apply_patch`, with a Lark grammar). The IR knows only
 * tools with a JSON input, so a custom tool travels as a function of one
 * string parameter `input`, and its calls go back to the client in the
 * custom form it declared. The Responses codec uses the same convention.
 */
import { parseToolInput } from '../../ir/tool-input.js';
import type { ChatChunk, ChatRequest, ChatResponse, ChatTool, ChatToolCall } from './types.js';

/** The single parameter a custom tool's free-form input travels in. @public */
export const CUSTOM_INPUT = 'input';

/** A custom tool's `format` (`{ type: 'grammar', syntax, definition }` or `{ type: 'text' }`). */
export type CustomToolFormat = { type?: string; syntax?: string; definition?: string } | undefined;

/** The JSON schema of a custom tool's stand-in function: its grammar goes into the description so the model can follow it. @public */
export function customToolSchema(format: CustomToolFormat): Record<string, unknown> {
  const grammar =
    format?.type === 'grammar' && typeof format.definition === 'string'
      ? `The raw input, which must match this ${format.syntax ?? ''} grammar:\n${format.definition}`
      : 'The raw input.';
  return {
    type: 'object',
    properties: { [CUSTOM_INPUT]: { type: 'string', description: grammar } },
    required: [CUSTOM_INPUT],
    additionalProperties: false,
  };
}

/** A custom tool call's IR input from its free text. @public */
export function customInput(text: string): Record<string, unknown> {
  return { [CUSTOM_INPUT]: text };
}

/** A custom tool call's free text from its IR input. @public */
export function customText(input: Record<string, unknown> | undefined): string {
  const text = input?.[CUSTOM_INPUT];
  return typeof text === 'string' ? text : JSON.stringify(input ?? {});
}

/** A Chat `custom` tool as the client declares it. @public */
export interface ChatCustomTool {
  type: 'custom';
  custom: { name: string; description?: string; format?: CustomToolFormat };
}

/** A call to a custom tool, as Chat Completions carries it. @public */
export interface ChatCustomToolCall {
  id: string;
  type: 'custom';
  custom: { name: string; input: string };
}

/**
 * A Chat request whose custom tools, custom tool calls and custom tool
 * choice are rewritten as function ones, and the names of those tools. A
 * request without custom tools comes back as it is.
 * @public
 */
export function liftCustomTools(req: ChatRequest): { request: ChatRequest; custom: ReadonlySet<string> } {
  const tools = req.tools as Array<ChatTool | ChatCustomTool> | undefined;
  const custom = new Set(tools?.filter((t): t is ChatCustomTool => t.type === 'custom').map((t) => t.custom.name));
  if (custom.size === 0) return { request: req, custom };
  const asFunction = (t: ChatTool | ChatCustomTool): ChatTool =>
    t.type === 'custom'
      ? { type: 'function', function: { name: t.custom.name, ...(t.custom.description !== undefined && { description: t.custom.description }), parameters: customToolSchema(t.custom.format) } }
      : t;
  const messages = req.messages.map((m) =>
    m.role === 'assistant' && m.tool_calls?.some((c) => (c as ChatToolCall | ChatCustomToolCall).type === 'custom')
      ? {
          ...m,
          tool_calls: (m.tool_calls as Array<ChatToolCall | ChatCustomToolCall>).map((c): ChatToolCall =>
            c.type === 'custom' ? { id: c.id, type: 'function', function: { name: c.custom.name, arguments: JSON.stringify(customInput(c.custom.input)) } } : c,
          ),
        }
      : m,
  );
  const choice = req.tool_choice as ChatRequest['tool_choice'] | { type: 'custom'; custom: { name: string } } | undefined;
  const toolChoice = typeof choice === 'object' && choice !== null && choice.type === 'custom' ? { type: 'function' as const, function: { name: choice.custom.name } } : req.tool_choice;
  return { request: { ...req, messages, tools: tools!.map(asFunction), ...(toolChoice !== undefined && { tool_choice: toolChoice }) }, custom };
}

function lowerCall(call: ChatToolCall, custom: ReadonlySet<string>): ChatToolCall | ChatCustomToolCall {
  if (!custom.has(call.function.name)) return call;
  return { id: call.id, type: 'custom', custom: { name: call.function.name, input: customText(parseToolInput(call.function.arguments)) } };
}

/** A completion whose calls to custom tools are put back in the custom form. @public */
export function lowerCustomCalls(res: ChatResponse, custom: ReadonlySet<string>): ChatResponse {
  if (custom.size === 0) return res;
  return {
    ...res,
    choices: res.choices.map((c) =>
      c.message.tool_calls ? { ...c, message: { ...c.message, tool_calls: c.message.tool_calls.map((t) => lowerCall(t, custom)) as ChatToolCall[] } } : c,
    ),
  };
}

/**
 * Chunks whose custom tool calls are put back in the custom form. A custom
 * call's input is a string inside the stand-in function's JSON arguments, so
 * its pieces are held until the call is complete (the finish chunk) and sent
 * as one delta; function calls stream through untouched.
 * @public
 */
export async function* lowerCustomCallsStream(chunks: AsyncIterable<ChatChunk>, custom: ReadonlySet<string>): AsyncGenerator<ChatChunk> {
  if (custom.size === 0) return yield* chunks;
  const held = new Map<number, { id: string; name: string; args: string }>();
  for await (const chunk of chunks) {
    const choice = chunk.choices[0];
    if (!choice) {
      yield chunk; // the usage chunk
      continue;
    }
    let out: ChatChunk | undefined = chunk;
    const calls = choice.delta.tool_calls;
    if (calls?.length) {
      const pass = calls.filter((d) => {
        const known = held.get(d.index);
        if (known) {
          known.args += d.function?.arguments ?? '';
          return false;
        }
        if (d.function?.name && custom.has(d.function.name)) {
          held.set(d.index, { id: d.id ?? '', name: d.function.name, args: d.function.arguments ?? '' });
          return false;
        }
        return true;
      });
      if (pass.length !== calls.length) {
        const { tool_calls: _dropped, ...delta } = choice.delta;
        const keep = pass.length > 0 || Boolean(delta.content) || choice.finish_reason != null;
        out = keep ? { ...chunk, choices: [{ ...choice, delta: pass.length ? { ...delta, tool_calls: pass } : delta }] } : undefined;
      }
    }
    if (choice.finish_reason != null && held.size) {
      const deltas = [...held].map(([index, h]) => ({ index, id: h.id, type: 'custom', custom: { name: h.name, input: customText(parseToolInput(h.args)) } }));
      held.clear();
      // The held calls go out just before the chunk that finishes the choice, so clients see them as part of this turn.
      yield { ...chunk, choices: [{ index: choice.index, delta: { tool_calls: deltas as never }, finish_reason: null }] };
    }
    if (out) yield out;
  }
}
