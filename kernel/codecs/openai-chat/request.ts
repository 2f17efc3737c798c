/**
 * Requests both ways: IR → Chat Completions for OpenAI-style upstreams, and
 * Chat Completions → IR for Lynkr's OpenAI front door.
 */
import { parseToolInput } from '../../ir/tool-input.js';
import { toolCallToChat } from './response.js';
import type {
  ContentBlock,
  DocumentBlock,
  ImageBlock,
  Message,
  MessagesRequest,
  OtherBlock,
  TextBlock,
  Tool,
  ToolChoice,
  ToolResultBlock,
  ToolUseBlock,
} from '../../ir/types.js';
import type {
  ChatContentPart,
  ChatFilePart,
  ChatImagePart,
  ChatMessage,
  ChatRequest,
  ChatTextPart,
  ChatTool,
  ChatToolCall,
  ChatToolChoice,
} from './types.js';

type AnyBlock = ContentBlock | OtherBlock;

/**
 * Separate inputs (system blocks, the text blocks of a user turn or a tool
 * result) are joined as paragraphs; the text blocks of one assistant answer
 * are pieces of one text and are joined as they are.
 */
const PARAGRAPH = '\n\n';

/** What OpenAI-style servers accept as `user`; Claude Code's `metadata.user_id` is far longer. */
const MAX_USER_LENGTH = 64;

/** @public */
export interface ToChatRequestOptions {
  /** The upstream model id. */
  model: string;
  stream: boolean;
  /** `max_tokens` is clamped to this. */
  maxOutputTokens?: number;
  /** Send `model`; default true. llama.cpp and LM Studio serve one model and are better without it. */
  includeModel?: boolean;
  /**
   * Earlier thinking blocks: `drop` (default) leaves them out; `text` keeps
   * them as `<thinking>…</thinking>` text in the assistant message.
   * Redacted thinking is opaque and always dropped.
   */
  thinking?: 'drop' | 'text';
  /**
   * The name of the output limit; default `max_tokens`, which every
   * OpenAI-style server reads. OpenAI's reasoning models accept only
   * `max_completion_tokens`.
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
}

/**
 * An IR request as a Chat Completions request.
 *
 * - `tool_result` blocks become `role: "tool"` messages placed before the
 *   rest of their user message. Their content is flattened to text; a
 *   failed result (`is_error`) reads `Error: <content>`. Images in a result
 *   cannot go into a tool message, so they follow in one user message with
 *   the rest of the turn, and the tool message says so.
 * - Tools with a `type` other than `custom` are Anthropic server tools
 *   (`web_search_…`, `code_execution_…`) that an OpenAI upstream cannot run:
 *   they are dropped, and so is `tool_choice` when no tool is left.
 * - Documents: text documents become text, base64 ones (PDF) `file` parts;
 *   others, and any block type Chat Completions has no form for, are dropped.
 * - `cache_control`, `top_k`, `thinking` and `metadata` other than a short
 *   `user_id` have no Chat Completions form and are dropped.
 * - `response_format` and `reasoning_effort`, which an OpenAI front door
 *   carries on the IR request as extra fields, are passed on as they are.
 * @public
 */
export function toChatRequest(req: MessagesRequest, opts: ToChatRequestOptions): ChatRequest {
  const messages: ChatMessage[] = [];
  const system = typeof req.system === 'string' ? req.system : req.system?.map((b) => b.text).join(PARAGRAPH);
  if (system) messages.push({ role: 'system', content: system });
  for (const message of req.messages) {
    if (message.role === 'system') messages.push({ role: 'system', content: systemText(message.content) });
    else if (message.role === 'assistant') messages.push(assistantToChat(message.content, opts.thinking === 'text'));
    else userToChat(message.content, messages);
  }

  const out: ChatRequest = { messages };
  if (opts.includeModel !== false) out.model = opts.model;
  out[opts.maxTokensField ?? 'max_tokens'] =
    opts.maxOutputTokens === undefined ? req.max_tokens : Math.min(req.max_tokens, opts.maxOutputTokens);
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (req.stop_sequences?.length) out.stop = req.stop_sequences;
  const tools = req.tools?.filter((t) => t.type === undefined || t.type === 'custom').map(toolToChat);
  if (tools?.length) {
    out.tools = tools;
    if (req.tool_choice) {
      out.tool_choice = toolChoiceToChat(req.tool_choice);
      if ('disable_parallel_tool_use' in req.tool_choice && req.tool_choice.disable_parallel_tool_use) {
        out.parallel_tool_calls = false;
      }
    }
  }
  const user = req.metadata?.user_id;
  if (typeof user === 'string' && user.length > 0 && user.length <= MAX_USER_LENGTH) out.user = user;
  if (req.response_format != null) out.response_format = req.response_format;
  if (req.reasoning_effort != null) out.reasoning_effort = req.reasoning_effort;
  if (opts.stream) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  return out;
}

function userToChat(content: Message['content'], out: ChatMessage[]): void {
  if (typeof content === 'string') {
    out.push({ role: 'user', content });
    return;
  }
  const parts: ChatContentPart[] = [];
  for (const block of content) {
    if (block.type !== 'tool_result') {
      const part = partToChat(block);
      if (part) parts.push(part);
      continue;
    }
    const result = block as ToolResultBlock;
    const { text, images } = flattenToolResult(result);
    const note = images.length > 0 ? `${text ? PARAGRAPH : ''}(The image output is in the next user message.)` : '';
    out.push({ role: 'tool', tool_call_id: result.tool_use_id, content: `${result.is_error ? 'Error: ' : ''}${text}${note}` });
    parts.push(...images);
  }
  if (parts.length === 0) return;
  const textOnly = parts.every((p) => p.type === 'text');
  out.push({ role: 'user', content: textOnly ? parts.map((p) => (p as ChatTextPart).text).join(PARAGRAPH) : parts });
}

function partToChat(block: AnyBlock): ChatContentPart | undefined {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text as string };
    case 'image':
      return imageToChat(block as ImageBlock);
    case 'document':
      return documentToChat(block as DocumentBlock);
    default:
      return undefined;
  }
}

function imageToChat(block: ImageBlock): ChatImagePart | undefined {
  const { source } = block;
  if (source.type === 'base64') {
    return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  }
  return source.type === 'url' ? { type: 'image_url', image_url: { url: source.url } } : undefined;
}

function documentToChat(block: DocumentBlock): ChatTextPart | ChatFilePart | undefined {
  const source = block.source as { type?: string; data?: string; media_type?: string };
  if (source.type === 'text' && typeof source.data === 'string') return { type: 'text', text: source.data };
  if (source.type === 'base64' && typeof source.data === 'string') {
    const filename = typeof block.title === 'string' ? block.title : 'document.pdf';
    return { type: 'file', file: { filename, file_data: `data:${source.media_type};base64,${source.data}` } };
  }
  return undefined;
}

function flattenToolResult(block: ToolResultBlock): { text: string; images: ChatImagePart[] } {
  if (typeof block.content === 'string' || block.content === undefined) return { text: block.content ?? '', images: [] };
  const texts: string[] = [];
  const images: ChatImagePart[] = [];
  for (const item of block.content) {
    const part = partToChat(item);
    if (part?.type === 'text') texts.push(part.text);
    else if (part?.type === 'image_url') images.push(part);
  }
  return { text: texts.join(PARAGRAPH), images };
}

function systemText(content: Message['content']): string {
  if (typeof content === 'string') return content;
  return content.flatMap((b) => (b.type === 'text' ? [b.text as string] : [])).join(PARAGRAPH);
}

function assistantToChat(content: Message['content'], thinkingAsText: boolean): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  let text = '';
  const calls: ChatToolCall[] = [];
  for (const block of content) {
    if (block.type === 'text') text += block.text as string;
    else if (block.type === 'tool_use') calls.push(toolCallToChat(block as ToolUseBlock));
    else if (block.type === 'thinking' && thinkingAsText) text += `<thinking>\n${block.thinking as string}\n</thinking>\n\n`;
  }
  if (calls.length === 0) return { role: 'assistant', content: text };
  return { role: 'assistant', content: text || null, tool_calls: calls };
}

/** Servers such as LM Studio and llama.cpp reject an object schema without `properties`. */
const NO_PARAMETERS = { type: 'object', properties: {} };

function toolToChat(tool: Tool): ChatTool {
  const { name, description, input_schema: schema } = tool;
  const parameters =
    schema && typeof schema.properties === 'object' && schema.properties !== null ? schema : { ...schema, ...NO_PARAMETERS };
  return { type: 'function', function: { name, ...(description !== undefined && { description }), parameters } };
}

function toolChoiceToChat(choice: ToolChoice): ChatToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}

/**
 * A request parameter Lynkr cannot honour; the front door answers 400 and
 * names `param`, as OpenAI does.
 * @public
 */
export class ChatRequestError extends Error {
  override readonly name = 'ChatRequestError';
  readonly param: string;

  constructor(param: string, message: string) {
    super(message);
    this.param = param;
  }
}

/**
 * Anthropic requires `max_tokens`; Chat Completions does not. 4096 is large
 * enough for a chat answer, small enough for every model, and is what
 * OpenAI-compatible servers commonly use when the client sets none.
 */
const DEFAULT_MAX_TOKENS = 4096;

/**
 * A Chat Completions request as an IR request.
 *
 * - Leading `system` / `developer` messages become `system` blocks; later
 *   ones stay in place as `role: "system"` messages.
 * - Consecutive `tool` messages, and a user message right after them, become
 *   one user message with the `tool_result` blocks first, as Anthropic
 *   requires.
 * - Assistant messages with neither text nor tool calls are left out (an
 *   Anthropic upstream rejects empty content).
 * - `max_completion_tokens`, else `max_tokens`, else 4096.
 * - Throws {@link ChatRequestError} for `n` other than 1.
 * - Fields with no Anthropic form (`response_format`, `logprobs`,
 *   `seed`, ...) are dropped.
 * @public
 */
export function fromChatRequest(req: ChatRequest): MessagesRequest {
  // OpenAI's SDKs may send null for any parameter left unset.
  if (req.n != null && req.n !== 1) throw new ChatRequestError('n', 'Only n = 1 is supported.');
  const system: TextBlock[] = [];
  const messages: Message[] = [];
  // The user message that holds the tool results of the latest tool messages, while it is the last message.
  let results: Message | undefined;

  for (const m of req.messages) {
    switch (m.role) {
      case 'system':
      case 'developer': {
        const text = typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join(PARAGRAPH);
        if (messages.length === 0) system.push({ type: 'text', text });
        else messages.push({ role: 'system', content: text });
        results = undefined;
        break;
      }
      case 'tool': {
        const block: ToolResultBlock = { type: 'tool_result', tool_use_id: m.tool_call_id, content: chatText(m.content) };
        if (results) (results.content as AnyBlock[]).push(block);
        else messages.push((results = { role: 'user', content: [block] }));
        break;
      }
      case 'user': {
        const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content.flatMap(partFromChat);
        if (results) (results.content as AnyBlock[]).push(...blocks);
        else messages.push({ role: 'user', content: typeof m.content === 'string' ? m.content : blocks });
        results = undefined;
        break;
      }
      case 'assistant': {
        const content: AnyBlock[] = [];
        const text = m.content == null ? '' : chatText(m.content);
        if (text) content.push({ type: 'text', text });
        for (const call of m.tool_calls ?? []) {
          const input = parseToolInput(call.function.arguments ?? '');
          content.push({ type: 'tool_use', id: call.id, name: call.function.name, input });
        }
        if (content.length > 0) messages.push({ role: 'assistant', content });
        results = undefined;
        break;
      }
    }
  }

  const out: MessagesRequest = {
    model: req.model ?? '',
    messages,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? DEFAULT_MAX_TOKENS,
  };
  if (system.length > 0) out.system = system;
  if (req.stream) out.stream = true;
  if (req.temperature != null) out.temperature = req.temperature;
  if (req.top_p != null) out.top_p = req.top_p;
  if (req.stop != null) out.stop_sequences = typeof req.stop === 'string' ? [req.stop] : req.stop;
  const tools = req.tools?.filter((t) => t.type === 'function').map(toolFromChat);
  if (tools?.length) {
    out.tools = tools;
    // Anthropic rejects a tool_choice sent without tools.
    const choice = toolChoiceFromChat(req.tool_choice, req.parallel_tool_calls === false);
    if (choice) out.tool_choice = choice;
  }
  if (req.user) out.metadata = { user_id: req.user };
  return out;
}

function chatText(content: string | ChatTextPart[]): string {
  return typeof content === 'string' ? content : content.map((p) => p.text).join(PARAGRAPH);
}

function partFromChat(part: ChatContentPart): AnyBlock[] {
  switch (part.type) {
    case 'text':
      return [{ type: 'text', text: part.text }];
    case 'image_url': {
      const data = parseDataUrl(part.image_url.url);
      return [{ type: 'image', source: data ? { type: 'base64', ...data } : { type: 'url', url: part.image_url.url } }];
    }
    case 'file': {
      const data = part.file.file_data === undefined ? undefined : parseDataUrl(part.file.file_data);
      if (!data) return [];
      const title = part.file.filename;
      return [{ type: 'document', source: { type: 'base64', ...data }, ...(title && { title }) }];
    }
    default:
      return [];
  }
}

const DATA_URL = /^data:([^;,]+);base64,/;

function parseDataUrl(url: string): { media_type: string; data: string } | undefined {
  const match = DATA_URL.exec(url);
  return match ? { media_type: match[1] as string, data: url.slice(match[0].length) } : undefined;
}

function toolFromChat(tool: ChatTool): Tool {
  const { name, description, parameters } = tool.function;
  return { name, ...(description !== undefined && { description }), input_schema: parameters ?? { ...NO_PARAMETERS } };
}

function toolChoiceFromChat(choice: ChatToolChoice | undefined, serial: boolean): ToolChoice | undefined {
  const flag = serial ? { disable_parallel_tool_use: true } : {};
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...flag };
  if (typeof choice === 'object' && choice) return { type: 'tool', name: choice.function.name, ...flag };
  return choice === 'auto' || serial ? { type: 'auto', ...flag } : undefined;
}
