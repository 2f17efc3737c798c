/**
 * The IR request as an Ollama `/api/chat` request.
 */
import type {
  ContentBlock,
  ImageBlock,
  Message,
  MessagesRequest,
  OtherBlock,
  TextBlock,
  Tool,
  ToolResultBlock,
  ToolUseBlock,
} from '../../kernel/index.js';
import type { OllamaChatRequest, OllamaMessage, OllamaOptions, OllamaThink, OllamaTool } from './wire.js';

export interface EncodeOptions {
  model: string;
  stream: boolean;
  /** `max_tokens` is clamped to it and sent as `options.num_predict`. */
  maxOutputTokens: number;
  /** `options.num_ctx`; left out when unset, so the model's own default applies. */
  numCtx?: number | undefined;
  keepAlive?: string | number | undefined;
  think?: OllamaThink | undefined;
  /** Earlier thinking blocks: left out, or kept as `<thinking>` text in the assistant message. */
  thinkingHistory: 'drop' | 'text';
  /** Entries of `options` sent with every request (`repeat_penalty`, `seed`, ...); the request's own values win. */
  extraOptions?: Readonly<Record<string, unknown>> | undefined;
}

type Block = ContentBlock | OtherBlock;

const PARAGRAPH = '\n\n';

/**
 * Ollama takes images as base64 only and no documents but text. Lynkr does
 * not fetch URLs on a client's behalf, so such a block becomes this note:
 * the model can then say what it cannot see. A 400 would be worse: the
 * block stays in the conversation's history, and every later turn would
 * fail the same way.
 */
export const URL_IMAGE_NOTE = '[An image given by URL was left out: this Ollama provider takes base64 images only.]';
export const DOCUMENT_NOTE = '[A document was left out: this Ollama provider takes documents as plain text only.]';

/**
 * The request for Ollama.
 *
 * - `system` becomes the first `system` message; mid-conversation system
 *   messages stay in place.
 * - The `tool_result` blocks of a user message become `tool` messages, in
 *   order and before the rest of that message, each with the `tool_name`
 *   of its call (Ollama pairs results with calls by name and order) and the
 *   call's id as `tool_call_id` (for the servers that keep ids). An error
 *   result reads `Error: ...`, as Ollama has no error flag.
 * - Assistant `tool_use` blocks become `tool_calls` with object arguments.
 * - Thinking blocks come from other model families, or carry no signature:
 *   dropped, or kept as text (`thinkingHistory`). Redacted thinking is
 *   always dropped.
 * - Server tools (web search, ...) have no Ollama form and are left out;
 *   `tool_choice: none` sends no tools. Ollama cannot force a tool, so
 *   `any` and `tool` read as `auto`.
 * - `max_tokens` → `options.num_predict`, clamped; `stop_sequences` →
 *   `options.stop`; a JSON schema output format → `format`.
 */
export function toOllamaRequest(req: MessagesRequest, opts: EncodeOptions): OllamaChatRequest {
  const messages: OllamaMessage[] = [];
  const system = typeof req.system === 'string' ? req.system : req.system?.map((b) => b.text).join(PARAGRAPH);
  if (system) messages.push({ role: 'system', content: system });
  // Tool results name their call only by id: the name comes from the assistant message that made the call.
  const callNames = new Map<string, string>();
  for (const message of req.messages) {
    if (message.role === 'system') messages.push({ role: 'system', content: plainText(message.content) });
    else if (message.role === 'assistant') messages.push(assistantMessage(message.content, callNames, opts.thinkingHistory));
    else userMessages(message.content, callNames, messages);
  }

  const body: OllamaChatRequest = { model: opts.model, messages, stream: opts.stream };
  const tools = req.tool_choice?.type === 'none' ? undefined : req.tools?.filter(isFunctionTool).map(toolToOllama);
  if (tools?.length) body.tools = tools;
  if (opts.think !== undefined) body.think = opts.think;
  if (opts.keepAlive !== undefined) body.keep_alive = opts.keepAlive;
  const format = outputSchema(req);
  if (format) body.format = format;
  body.options = options(req, opts);
  return body;
}

function options(req: MessagesRequest, opts: EncodeOptions): OllamaOptions {
  const out: OllamaOptions = { ...opts.extraOptions, num_predict: Math.min(req.max_tokens, opts.maxOutputTokens) };
  if (opts.numCtx !== undefined) out.num_ctx = opts.numCtx;
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (req.top_k !== undefined) out.top_k = req.top_k;
  if (req.stop_sequences?.length) out.stop = req.stop_sequences;
  return out;
}

function userMessages(content: Message['content'], callNames: ReadonlyMap<string, string>, out: OllamaMessage[]): void {
  if (typeof content === 'string') {
    out.push({ role: 'user', content });
    return;
  }
  const parts = new Parts();
  for (const block of content) {
    if (block.type === 'tool_result') out.push(toolMessage(block as ToolResultBlock, callNames));
    else parts.add(block);
  }
  if (!parts.empty) out.push(parts.message('user'));
}

function toolMessage(block: ToolResultBlock, callNames: ReadonlyMap<string, string>): OllamaMessage {
  const parts = new Parts();
  if (typeof block.content === 'string') parts.add({ type: 'text', text: block.content });
  else for (const item of block.content ?? []) parts.add(item);
  const message = parts.message('tool');
  if (block.is_error) message.content = `Error: ${message.content}`;
  const name = callNames.get(block.tool_use_id);
  if (name !== undefined) message.tool_name = name;
  message.tool_call_id = block.tool_use_id;
  return message;
}

/** The text and images of a user or tool message, gathered block by block. */
class Parts {
  readonly #texts: string[] = [];
  readonly #images: string[] = [];

  get empty(): boolean {
    return this.#texts.length === 0 && this.#images.length === 0;
  }

  add(block: Block): void {
    switch (block.type) {
      case 'text':
        this.#texts.push((block as TextBlock).text);
        return;
      case 'image': {
        const { source } = block as ImageBlock;
        if (source.type === 'base64') this.#images.push(source.data);
        else this.#texts.push(URL_IMAGE_NOTE);
        return;
      }
      case 'document': {
        const source = (block as { source: { type?: unknown; data?: unknown } }).source;
        this.#texts.push(source.type === 'text' && typeof source.data === 'string' ? source.data : DOCUMENT_NOTE);
        return;
      }
      // Thinking, server tool results and unknown blocks have no place in a user turn for Ollama.
    }
  }

  message(role: 'user' | 'tool'): OllamaMessage {
    const message: OllamaMessage = { role, content: this.#texts.join(PARAGRAPH) };
    if (this.#images.length > 0) message.images = this.#images;
    return message;
  }
}

function assistantMessage(content: Message['content'], callNames: Map<string, string>, thinking: 'drop' | 'text'): OllamaMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  let text = '';
  const calls: NonNullable<OllamaMessage['tool_calls']> = [];
  for (const block of content) {
    if (block.type === 'text') text += (block as TextBlock).text;
    else if (block.type === 'tool_use') {
      const use = block as ToolUseBlock;
      callNames.set(use.id, use.name);
      calls.push({ id: use.id, function: { name: use.name, arguments: use.input ?? {} } });
    } else if (block.type === 'thinking' && thinking === 'text') {
      text += `<thinking>\n${block.thinking as string}\n</thinking>${PARAGRAPH}`;
    }
  }
  const message: OllamaMessage = { role: 'assistant', content: text };
  if (calls.length > 0) message.tool_calls = calls;
  return message;
}

function plainText(content: Message['content']): string {
  if (typeof content === 'string') return content;
  return content.flatMap((b) => (b.type === 'text' ? [(b as TextBlock).text] : [])).join(PARAGRAPH);
}

/** Client tools only: server tools (`web_search_20250305`, ...) run on Anthropic's side. */
function isFunctionTool(tool: Tool): boolean {
  return tool.type === undefined || tool.type === 'custom';
}

/** Local models' tool parsers expect an object schema with `properties`, as OpenAI-style servers do. */
const NO_PARAMETERS = { type: 'object', properties: {} };

function toolToOllama(tool: Tool): OllamaTool {
  const { name, description, input_schema: schema } = tool;
  const parameters = schema && typeof schema.properties === 'object' && schema.properties !== null ? schema : { ...schema, ...NO_PARAMETERS };
  return { type: 'function', function: { name, ...(description !== undefined && { description }), parameters } };
}

/**
 * Anthropic's structured output (`output_config.format`, or the beta's
 * `output_format`) as Ollama's `format`, which takes the JSON schema itself.
 */
function outputSchema(req: MessagesRequest): Record<string, unknown> | undefined {
  const config = req.output_config as { format?: unknown } | undefined;
  const format = (config?.format ?? req.output_format) as { type?: unknown; schema?: unknown } | undefined;
  if (format?.type !== 'json_schema' || typeof format.schema !== 'object' || format.schema === null) return undefined;
  return format.schema as Record<string, unknown>;
}
