/**
 * Requests both ways: Responses → IR for Lynkr's Responses front door, and
 * IR → Responses for upstreams that speak it. The parts Chat Completions
 * shares with Responses (tools, tool_choice, limits, sampling) go through
 * the Chat codec, so both surfaces read them the same way.
 */
import { ChatRequestError, fromChatRequest, toChatRequest } from '../openai-chat/request.js';
import type { ChatRequest, ChatToolChoice } from '../openai-chat/types.js';
import type {
  ContentBlock,
  ImageBlock,
  Message,
  MessagesRequest,
  OtherBlock,
  TextBlock,
  ThinkingBlock,
  ToolResultBlock,
  ToolUseBlock,
} from '../../ir/types.js';
import { parseToolInput } from '../../ir/tool-input.js';
import { customInput } from '../openai-chat/custom-tools.js';
import {
  BUILTIN_TOOL,
  flatToolName,
  isBuiltinTool,
  splitTools,
  type ResponsesToolNames,
} from './tools.js';
import type {
  ResponsesContent,
  ResponsesFunctionTool,
  ResponsesInputContent,
  ResponsesInputItem,
  ResponsesReasoningItem,
  ResponsesRequest,
  ResponsesTextFormat,
  ResponsesTool,
  ResponsesToolChoice,
} from './types.js';

type AnyBlock = ContentBlock | OtherBlock;

/** Separate inputs (system texts, summary parts) are joined as paragraphs. */
const PARAGRAPH = '\n\n';

/**
 * Items of built-in tools OpenAI runs itself. Their calls and results mean
 * nothing to another upstream; they are left out (with `onDrop`), like the
 * tools themselves are for upstreams that cannot run them.
 */
const BUILTIN_ITEMS = new Set([
  'web_search_call',
  'file_search_call',
  'computer_call',
  'computer_call_output',
  'code_interpreter_call',
  'image_generation_call',
  'local_shell_call',
  'local_shell_call_output',
  'shell_call',
  'shell_call_output',
  'apply_patch_call',
  'apply_patch_call_output',
  'mcp_list_tools',
  'mcp_approval_request',
  'mcp_approval_response',
  'mcp_call',
]);

/** @public */
export interface FromResponsesRequestOptions {
  /** Items of earlier turns (from `previous_response_id`), read before `input`. */
  history?: readonly ResponsesInputItem[];
  /** `max_tokens` when the request sets no `max_output_tokens`; default 4096, as the Chat codec. */
  defaultMaxTokens?: number;
  /** Told about each item left out (built-in tool calls), for a debug log. */
  onDrop?: (what: string) => void;
}

/** @public */
export interface DecodedResponsesRequest {
  request: MessagesRequest;
  /** How the IR tool names map back to the client's namespace and custom tools. */
  toolNames: ResponsesToolNames;
}

/**
 * A Responses request as an IR request.
 *
 * - `instructions`, then leading `system` / `developer` messages, become
 *   `system` blocks; later ones stay in place as `role: "system"` messages.
 * - Consecutive assistant items (messages, `reasoning`, `function_call`,
 *   `custom_tool_call`) form one assistant message; `function_call_output`
 *   items become `tool_result` blocks placed first in the user message that
 *   follows.
 * - `reasoning` items become `thinking` blocks: the summary is the text and
 *   `encrypted_content` the signature. Which upstream may read them back is
 *   for the caller to decide (see `reasoning.ts`).
 * - `namespace` tools are flattened to `<namespace>__<name>` functions and
 *   `custom` tools become functions of one string parameter `input`; the
 *   returned `toolNames` maps both back. Built-in tools (`web_search`, ...)
 *   are kept as typed IR tools marked with {@link BUILTIN_TOOL}, which Chat
 *   upstreams drop; their call items in the history are left out.
 * - `text.format` (json_object / json_schema) becomes the Chat-shaped
 *   `response_format` extra field and `reasoning.effort` the
 *   `reasoning_effort` one, for OpenAI-family upstreams to forward.
 * - Unknown item types, `item_reference` items and file ids throw
 *   {@link ChatRequestError} naming the parameter.
 * @public
 */
export function fromResponsesRequest(req: ResponsesRequest, opts: FromResponsesRequestOptions = {}): DecodedResponsesRequest {
  const declared = req.tools ?? [];
  const split = splitTools([...declared, ...additionalTools([...(opts.history ?? []), ...(Array.isArray(req.input) ? req.input : [])], declared)]);
  const base = fromChatRequest({
    model: req.model,
    messages: [],
    max_completion_tokens: req.max_output_tokens ?? opts.defaultMaxTokens,
    temperature: req.temperature,
    top_p: req.top_p,
    stream: req.stream === true,
    tools: split.functions,
    tool_choice: toolChoiceToChat(req.tool_choice),
    parallel_tool_calls: req.parallel_tool_calls,
    user: req.user,
  } as ChatRequest);
  if (split.builtins.length > 0) base.tools = [...(base.tools ?? []), ...split.builtins];

  const reader = new ItemReader(opts.onDrop);
  if (typeof req.instructions === 'string' && req.instructions !== '') reader.system.push({ type: 'text', text: req.instructions });
  opts.history?.forEach((item, i) => reader.read(item, `previous_response_id (item ${i})`));
  if (typeof req.input === 'string') reader.read({ role: 'user', content: req.input }, 'input');
  else req.input?.forEach((item, i) => reader.read(item, `input[${i}]`));

  // base is this call's own object (with no messages yet): filled in place rather than copied.
  const request: MessagesRequest = base;
  request.messages = reader.messages;
  if (reader.system.length > 0) request.system = reader.system;
  const format = req.text?.format;
  if (format && format.type !== 'text') request.response_format = formatToChat(format);
  if (req.reasoning?.effort) request.reasoning_effort = req.reasoning.effort;
  return { request, toolNames: split.names };
}

/**
 * Tools declared inside the input rather than in `tools`: Codex sends an
 * `{type: "additional_tools", role: "developer", tools: [...]}` item (for
 * models with tool search) and no top-level tools. They are the request's
 * tools all the same.
 */
function additionalTools(items: readonly ResponsesInputItem[], declared: readonly ResponsesTool[]): ResponsesTool[] {
  // A conversation continued from a stored response repeats the item: each tool counts once.
  const key = (t: ResponsesTool) => {
    const { type, name, namespace } = t as { type?: string; name?: string; namespace?: string };
    return `${type}:${namespace ?? ''}:${name ?? ''}`;
  };
  const seen = new Set(declared.map(key));
  return items.flatMap((item) => {
    const extra = item as { type?: unknown; tools?: unknown };
    if (extra?.type !== 'additional_tools' || !Array.isArray(extra.tools)) return [];
    return (extra.tools as ResponsesTool[]).filter((t) => !seen.has(key(t)) && seen.add(key(t)));
  });
}

function toolChoiceToChat(choice: ResponsesToolChoice | null | undefined): ChatToolChoice | undefined {
  if (choice === undefined || choice === null || typeof choice === 'string') return choice ?? undefined;
  if ((choice.type === 'function' || choice.type === 'custom') && typeof choice.name === 'string') {
    return { type: 'function', function: { name: flatToolName(choice.name, choice.namespace as string | undefined) } };
  }
  // `allowed_tools` keeps its mode; a forced built-in tool cannot be forced elsewhere, so the model chooses.
  if (choice.type === 'allowed_tools') return choice.mode === 'required' ? 'required' : 'auto';
  return 'auto';
}

function formatToChat(format: ResponsesTextFormat): Record<string, unknown> {
  if (format.type !== 'json_schema') return { type: format.type };
  const { type, ...schema } = format;
  return { type, json_schema: schema };
}

/** Reads items in order into IR messages. */
class ItemReader {
  readonly system: TextBlock[] = [];
  readonly messages: Message[] = [];
  readonly #onDrop: ((what: string) => void) | undefined;

  constructor(onDrop: ((what: string) => void) | undefined) {
    this.#onDrop = onDrop;
  }

  read(item: ResponsesInputItem, param: string): void {
    if (typeof item !== 'object' || item === null) throw new ChatRequestError(param, 'Each input item must be an object.');
    // Clients send item types this union does not list: they are checked at run time.
    const type: string = item.type ?? 'message';
    switch (type) {
      case 'message':
        return this.#message(item as Extract<ResponsesInputItem, { role: string }>, param);
      case 'function_call':
      case 'custom_tool_call': {
        const call = item as { call_id?: unknown; name?: unknown; namespace?: unknown; arguments?: unknown; input?: unknown };
        if (typeof call.call_id !== 'string' || typeof call.name !== 'string') {
          throw new ChatRequestError(param, `A ${type} item needs a string call_id and name.`);
        }
        const field = type === 'custom_tool_call' ? 'input' : 'arguments';
        if (call[field] != null && typeof call[field] !== 'string') throw new ChatRequestError(`${param}.${field}`, `Expected a string, got ${shown(call[field])}.`);
        const name = flatToolName(call.name, typeof call.namespace === 'string' ? call.namespace : undefined);
        const input = type === 'custom_tool_call' ? customInput(String(call.input ?? '')) : parseToolInput(String(call.arguments ?? ''));
        return this.#assistant({ type: 'tool_use', id: call.call_id, name, input } satisfies ToolUseBlock);
      }
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const out = item as { call_id?: unknown; output?: unknown };
        if (typeof out.call_id !== 'string') throw new ChatRequestError(`${param}.call_id`, `A ${type} item needs a string call_id.`);
        const content = typeof out.output === 'string' ? out.output : contentToIR(out.output, `${param}.output`);
        return this.#toolResult({ type: 'tool_result', tool_use_id: out.call_id, content: content as ToolResultBlock['content'] });
      }
      case 'reasoning':
        return this.#assistant(reasoningToThinking(item as ResponsesReasoningItem));
      case 'item_reference':
        throw new ChatRequestError(param, 'item_reference items are not supported: send the items themselves, or continue with previous_response_id.');
      case 'additional_tools':
        // Its tools were taken with the request's own (additionalTools); it says nothing to the model.
        return;
      default:
        if (BUILTIN_ITEMS.has(type)) {
          this.#onDrop?.(`${param}: a ${type} item (built-in tools run only on OpenAI)`);
          return;
        }
        throw new ChatRequestError(`${param}.type`, `Unknown input item type ${shown(type)}.`);
    }
  }

  #message(item: { role: string; content: unknown }, param: string): void {
    switch (item.role) {
      case 'system':
      case 'developer': {
        const text = textOf(item.content, `${param}.content`);
        if (this.messages.length === 0) this.system.push({ type: 'text', text });
        else this.messages.push({ role: 'system', content: text });
        return;
      }
      case 'user': {
        if (typeof item.content === 'string') return this.#user(item.content);
        return this.#user(contentToIR(item.content, `${param}.content`));
      }
      case 'assistant': {
        const text = textOf(item.content, `${param}.content`);
        if (text !== '') this.#assistant({ type: 'text', text });
        return;
      }
      default:
        throw new ChatRequestError(`${param}.role`, `Expected one of "user", "assistant", "system", "developer", got ${shown(item.role)}.`);
    }
  }

  #last(): Message | undefined {
    return this.messages.at(-1);
  }

  #assistant(block: AnyBlock): void {
    const last = this.#last();
    if (last?.role === 'assistant') (last.content as AnyBlock[]).push(block);
    else this.messages.push({ role: 'assistant', content: [block] });
  }

  #user(content: string | AnyBlock[]): void {
    // Anthropic rejects a message without content.
    if (content.length === 0) return;
    const last = this.#last();
    // Text right after tool outputs joins their message, as a Chat client's user message after tool messages does.
    if (last?.role === 'user' && Array.isArray(last.content) && last.content.at(-1)?.type === 'tool_result') {
      (last.content as AnyBlock[]).push(...(typeof content === 'string' ? [{ type: 'text', text: content }] : content));
    } else this.messages.push({ role: 'user', content });
  }

  /** Tool results go first in their user message, after any results already there. */
  #toolResult(block: ToolResultBlock): void {
    const last = this.#last();
    if (last?.role !== 'user') {
      this.messages.push({ role: 'user', content: [block] });
      return;
    }
    const blocks: AnyBlock[] = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : (last.content as AnyBlock[]);
    const at = blocks.findIndex((b) => b.type !== 'tool_result');
    blocks.splice(at === -1 ? blocks.length : at, 0, block);
    last.content = blocks;
  }
}

function reasoningToThinking(item: ResponsesReasoningItem): ThinkingBlock {
  const summary = Array.isArray(item.summary) ? item.summary.map((s) => s.text).join(PARAGRAPH) : '';
  return { type: 'thinking', thinking: summary, signature: item.encrypted_content ?? '' };
}

/** The text of a system or assistant message: its text, output_text and refusal parts joined. */
function textOf(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw new ChatRequestError(param, 'Expected a string or an array of content parts.');
  const texts: string[] = [];
  (content as ResponsesContent[]).forEach((part, i) => {
    if (part?.type === 'input_text' || part?.type === 'output_text') texts.push(stringField(part, 'text', `${param}[${i}]`));
    else if (part?.type === 'refusal') texts.push(stringField(part, 'refusal', `${param}[${i}]`));
    else throw new ChatRequestError(`${param}[${i}].type`, `Expected a text part here, got ${shown(part?.type)}.`);
  });
  return texts.join(PARAGRAPH);
}

function contentToIR(content: unknown, param: string): AnyBlock[] {
  if (!Array.isArray(content)) throw new ChatRequestError(param, 'Expected a string or an array of content parts.');
  return (content as ResponsesContent[]).map((part, i) => partToIR(part, `${param}[${i}]`));
}

function partToIR(part: ResponsesContent, param: string): AnyBlock {
  if (typeof part !== 'object' || part === null) throw new ChatRequestError(param, 'Each content part must be an object.');
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: stringField(part, 'text', param) };
    case 'refusal':
      return { type: 'text', text: stringField(part, 'refusal', param) };
    case 'input_image': {
      if (typeof part.image_url !== 'string') {
        throw new ChatRequestError(`${param}.image_url`, 'Images must be sent as image_url (a URL or a data URL): file ids are not supported.');
      }
      const data = parseDataUrl(part.image_url);
      return { type: 'image', source: data ? { type: 'base64', ...data } : { type: 'url', url: part.image_url } } satisfies ImageBlock;
    }
    case 'input_file': {
      const title = part.filename ? { title: part.filename } : {};
      const data = typeof part.file_data === 'string' ? parseDataUrl(part.file_data) : undefined;
      if (data) return { type: 'document', source: { type: 'base64', ...data }, ...title };
      if (typeof part.file_url === 'string') return { type: 'document', source: { type: 'url', url: part.file_url }, ...title };
      throw new ChatRequestError(param, 'Files must be sent as file_data (a data URL) or file_url: file ids are not supported.');
    }
    default:
      throw new ChatRequestError(`${param}.type`, `Unknown content part type ${shown((part as { type?: unknown }).type)}.`);
  }
}

/** A part's text field, which the codec passes on as text: anything but a string is the client's error, not text to coerce. */
function stringField<K extends string>(part: { [key in K]?: unknown }, key: K, param: string): string {
  const value = part[key];
  if (typeof value !== 'string') throw new ChatRequestError(`${param}.${key}`, value === undefined ? `Missing required parameter: '${param}.${key}'.` : `Expected a string, got ${shown(value)}.`);
  return value;
}

/** A value quoted in an error message, cut short: the message must not echo a megabyte back. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const DATA_URL = /^data:([^;,]+);base64,/;

function parseDataUrl(url: string): { media_type: string; data: string } | undefined {
  const match = DATA_URL.exec(url);
  return match ? { media_type: match[1] as string, data: url.slice(match[0].length) } : undefined;
}

// ---- IR → Responses -----------------------------------------------------------------------------

/** @public */
export interface ToResponsesRequestOptions {
  /** The upstream model id. */
  model: string;
  stream: boolean;
  /** `max_output_tokens` is clamped to this. */
  maxOutputTokens?: number;
  /**
   * Earlier thinking blocks: `drop` (default) leaves them out; `reasoning`
   * sends those with a signature as `reasoning` items whose
   * `encrypted_content` is the signature. Only thinking that came from the
   * same upstream family may be sent back that way.
   */
  thinking?: 'drop' | 'reasoning';
}

const BUDGET_EFFORT: ReadonlyArray<[number, string]> = [
  [16_384, 'high'],
  [4_096, 'medium'],
  [0, 'low'],
];

/**
 * An IR request as a Responses request, stateless (`store: false`, the
 * whole history as `input`).
 *
 * - The system prompt becomes `instructions`; mid-conversation system
 *   messages become `developer` messages.
 * - `tool_result` blocks become `function_call_output` items placed before
 *   the rest of their user message; `tool_use` blocks `function_call` items.
 * - Tools, `tool_choice`, limits and sampling go through
 *   {@link toChatRequest} (empty schemas fixed, Anthropic server tools
 *   dropped); built-in tools carried by {@link BUILTIN_TOOL} are sent as
 *   they came.
 * - `reasoning_effort`, else an enabled thinking budget, becomes
 *   `reasoning.effort`; `response_format` becomes `text.format`.
 * - Stop sequences and `top_k` have no Responses form and are dropped.
 * @public
 */
export function toResponsesRequest(req: MessagesRequest, opts: ToResponsesRequestOptions): ResponsesRequest {
  const chat = toChatRequest({ ...req, messages: [], system: undefined }, { model: opts.model, stream: false, maxOutputTokens: opts.maxOutputTokens });
  const input: ResponsesInputItem[] = [];
  for (const message of req.messages) {
    if (message.role === 'system') input.push({ role: 'developer', content: systemText(message.content) });
    else if (message.role === 'assistant') assistantToItems(message.content, opts.thinking === 'reasoning', input);
    else userToItems(message.content, input);
  }

  const out: ResponsesRequest = { model: opts.model, input, store: false };
  const instructions = typeof req.system === 'string' ? req.system : req.system?.map((b) => b.text).join(PARAGRAPH);
  if (instructions) out.instructions = instructions;
  out.max_output_tokens = chat.max_tokens as number;
  if (chat.temperature !== undefined) out.temperature = chat.temperature;
  if (chat.top_p !== undefined) out.top_p = chat.top_p;
  const tools: ResponsesTool[] = (chat.tools ?? []).map(
    ({ function: f }): ResponsesFunctionTool => ({ type: 'function', name: f.name, ...(f.description !== undefined && { description: f.description }), parameters: f.parameters, strict: false }),
  );
  for (const tool of req.tools ?? []) if (isBuiltinTool(tool)) tools.push(tool[BUILTIN_TOOL] as ResponsesTool);
  if (tools.length > 0) {
    out.tools = tools;
    if (chat.tool_choice) out.tool_choice = typeof chat.tool_choice === 'string' ? chat.tool_choice : { type: 'function', name: chat.tool_choice.function.name };
    if (chat.parallel_tool_calls !== undefined) out.parallel_tool_calls = chat.parallel_tool_calls;
  }
  if (chat.user) out.user = chat.user;
  const effort = typeof req.reasoning_effort === 'string' ? req.reasoning_effort : effortForThinking(req);
  if (effort) out.reasoning = { effort: effort as NonNullable<ResponsesRequest['reasoning']>['effort'] };
  if (opts.thinking === 'reasoning') out.include = ['reasoning.encrypted_content'];
  const format = req.response_format as { type?: string; json_schema?: Record<string, unknown> } | undefined;
  if (format?.type === 'json_object') out.text = { format: { type: 'json_object' } };
  else if (format?.type === 'json_schema') out.text = { format: { type: 'json_schema', ...format.json_schema } as ResponsesTextFormat };
  if (opts.stream) out.stream = true;
  return out;
}

function effortForThinking(req: MessagesRequest): string | undefined {
  if (req.thinking?.type !== 'enabled') return undefined;
  const budget = req.thinking.budget_tokens;
  return BUDGET_EFFORT.find(([min]) => budget >= min)?.[1];
}

function systemText(content: Message['content']): string {
  if (typeof content === 'string') return content;
  return content.flatMap((b) => (b.type === 'text' ? [b.text as string] : [])).join(PARAGRAPH);
}

function userToItems(content: Message['content'], out: ResponsesInputItem[]): void {
  if (typeof content === 'string') {
    out.push({ role: 'user', content });
    return;
  }
  const parts: ResponsesInputContent[] = [];
  for (const block of content) {
    if (block.type === 'tool_result') {
      const result = block as ToolResultBlock;
      out.push({ type: 'function_call_output', call_id: result.tool_use_id, output: toolOutput(result) });
      continue;
    }
    const part = partToResponses(block);
    if (part) parts.push(part);
  }
  if (parts.length > 0) out.push({ role: 'user', content: parts });
}

function toolOutput(block: ToolResultBlock): string | ResponsesInputContent[] {
  const prefix = block.is_error ? 'Error: ' : '';
  if (typeof block.content === 'string' || block.content === undefined) return `${prefix}${block.content ?? ''}`;
  const parts = block.content.flatMap((b) => partToResponses(b) ?? []);
  if (parts.every((p) => p.type === 'input_text')) return prefix + parts.map((p) => (p as { text: string }).text).join(PARAGRAPH);
  return prefix ? [{ type: 'input_text', text: prefix.trim() }, ...parts] : parts;
}

function partToResponses(block: AnyBlock): ResponsesInputContent | undefined {
  switch (block.type) {
    case 'text':
      return { type: 'input_text', text: block.text as string };
    case 'image': {
      const { source } = block as ImageBlock;
      if (source.type === 'base64') return { type: 'input_image', image_url: `data:${source.media_type};base64,${source.data}`, detail: 'auto' };
      return source.type === 'url' ? { type: 'input_image', image_url: source.url, detail: 'auto' } : undefined;
    }
    case 'document': {
      const source = block.source as { type?: string; data?: string; media_type?: string; url?: string };
      const filename = typeof block.title === 'string' ? block.title : 'document.pdf';
      if (source.type === 'text' && typeof source.data === 'string') return { type: 'input_text', text: source.data };
      if (source.type === 'base64') return { type: 'input_file', filename, file_data: `data:${source.media_type};base64,${source.data}` };
      return source.type === 'url' && typeof source.url === 'string' ? { type: 'input_file', file_url: source.url } : undefined;
    }
    default:
      return undefined;
  }
}

function assistantToItems(content: Message['content'], reasoning: boolean, out: ResponsesInputItem[]): void {
  if (typeof content === 'string') {
    if (content) out.push({ role: 'assistant', content: [{ type: 'output_text', text: content }] });
    return;
  }
  let text = '';
  const flush = (): void => {
    if (text) out.push({ role: 'assistant', content: [{ type: 'output_text', text }] });
    text = '';
  };
  for (const block of content) {
    if (block.type === 'text') text += block.text as string;
    else if (block.type === 'tool_use') {
      flush();
      const call = block as ToolUseBlock;
      out.push({ type: 'function_call', call_id: call.id, name: call.name, arguments: JSON.stringify(call.input ?? {}) });
    } else if (block.type === 'thinking' && reasoning && (block as ThinkingBlock).signature) {
      flush();
      const { thinking, signature } = block as ThinkingBlock;
      out.push({ type: 'reasoning', summary: thinking ? [{ type: 'summary_text', text: thinking }] : [], encrypted_content: signature });
    }
  }
  flush();
}
