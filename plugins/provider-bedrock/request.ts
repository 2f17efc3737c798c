/**
 * The IR request as a Converse request. Converse differs from Anthropic's
 * API in ways that each cost a 400 when missed: roles must alternate and
 * there is no system role in `messages`; blank text blocks are refused;
 * tool blocks in the history need a `toolConfig`; images come as bytes only;
 * a tool result's `status` and reasoning blocks are for Claude only.
 */
import { LynkrError } from '../../kernel/index.js';
import type {
  ContentBlock,
  DocumentBlock,
  ImageBlock,
  Message,
  MessagesRequest,
  OtherBlock,
  TextBlock,
  Tool,
  ToolResultBlock,
} from '../../kernel/index.js';
import type { ModelProfile } from './models.js';
import type {
  CachePoint,
  ContentPart,
  ConverseMessage,
  ConverseRequest,
  DocumentFormat,
  DocumentPart,
  ImageFormat,
  ImagePart,
  ToolChoice,
  ToolResultContent,
  ToolSpec,
} from './types.js';

export interface EncodeOptions {
  /** The provider id, for error messages. */
  label: string;
  profile: ModelProfile;
}

export interface Encoded {
  body: ConverseRequest;
  /** Block and tool types left out because Converse cannot carry them, for a debug log. */
  dropped: string[];
}

const CACHE_POINT: CachePoint = Object.freeze({ cachePoint: Object.freeze({ type: 'default' as const }) });
/** Anthropic's limit of cache breakpoints per request, which Bedrock enforces too. */
const MAX_CACHE_POINTS = 4;
/** Anthropic's smallest thinking budget. */
const MIN_THINKING_BUDGET = 1024;
/** Converse refuses an empty tool result; Anthropic's API takes one. */
const EMPTY_RESULT = '(no content)';
const NO_PARAMETERS = Object.freeze({ type: 'object', properties: {} });

const IMAGE_FORMATS: Record<string, ImageFormat> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };
const DOCUMENT_FORMATS: Record<string, DocumentFormat> = {
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/html': 'html',
  'text/csv': 'csv',
};

/** Encodes one request; its counters (cache points, document names) live as long as the request. */
class Encoder {
  readonly dropped: string[] = [];
  readonly #label: string;
  readonly #profile: ModelProfile;
  readonly #claude: boolean;
  #cachePoints = 0;
  #documents = 0;

  constructor({ label, profile }: EncodeOptions) {
    this.#label = label;
    this.#profile = profile;
    this.#claude = profile.family === 'claude';
  }

  encode(request: MessagesRequest): ConverseRequest {
    // In the order of the cached prefix (tools, system, messages), so that the cache point limit keeps the first ones.
    const tools = this.#tools(request.tools);
    const system = this.#system(request.system);
    const body: ConverseRequest = { messages: this.#messages(request.messages) };
    if (system.length > 0) body.system = system;

    const maxTokens = Math.min(request.max_tokens, this.#profile.capabilities.maxOutputTokens);
    body.inferenceConfig = { maxTokens };
    if (request.temperature !== undefined) body.inferenceConfig.temperature = request.temperature;
    if (request.top_p !== undefined) body.inferenceConfig.topP = request.top_p;
    if (request.stop_sequences?.length) body.inferenceConfig.stopSequences = request.stop_sequences;

    const toolConfig = this.#toolConfig(tools, request.tool_choice, body.messages);
    if (toolConfig) body.toolConfig = toolConfig;

    if (this.#claude) this.#claudeFields(request, body, maxTokens);
    return body;
  }

  /** What Claude takes beyond Converse's common fields, passed to it as Anthropic's own request fields. */
  #claudeFields(request: MessagesRequest, body: ConverseRequest, maxTokens: number): void {
    const extra: Record<string, unknown> = {};
    const thinking = request.thinking;
    if (thinking?.type === 'enabled' && this.#profile.capabilities.thinking) {
      // Side requests (titles, the max_tokens: 1 probe) may carry a budget the model refuses: adapt it, or go without thinking.
      const budget = Math.max(MIN_THINKING_BUDGET, thinking.budget_tokens);
      if (budget < maxTokens) extra.thinking = { type: 'enabled', budget_tokens: budget };
      else this.dropped.push('thinking (budget does not fit max_tokens)');
    } else if (thinking?.type === 'adaptive' && this.#profile.capabilities.thinking) {
      extra.thinking = thinking;
    }
    if (request.top_k !== undefined) extra.top_k = request.top_k;
    if (Object.keys(extra).length > 0) body.additionalModelRequestFields = extra;
    // Converse does not say which stop sequence matched; Claude's own answer does.
    if (request.stop_sequences?.length) body.additionalModelResponseFieldPaths = ['/stop_sequence'];
  }

  #system(system: MessagesRequest['system']): Array<{ text: string } | CachePoint> {
    if (system === undefined) return [];
    if (typeof system === 'string') return isBlank(system) ? [] : [{ text: system }];
    const out: Array<{ text: string } | CachePoint> = [];
    for (const block of system) {
      if (isBlank(block.text)) continue;
      out.push({ text: block.text });
      if (block.cache_control) this.#cachePoint(out, 'prompt');
    }
    return out;
  }

  /** Converse messages: system messages become user text, same roles merge, a user turn's tool results come first. */
  #messages(messages: readonly Message[]): ConverseMessage[] {
    const out: ConverseMessage[] = [];
    for (const message of messages) {
      const role = message.role === 'assistant' ? 'assistant' : 'user';
      const content = message.role === 'system' ? this.#systemMessage(message.content) : this.#blocks(message.content, role);
      if (content.length === 0) continue;
      const last = out.at(-1);
      if (last?.role === role) last.content.push(...content);
      else out.push({ role, content });
    }
    for (const message of out) if (message.role === 'user') toolResultsFirst(message.content);
    return out;
  }

  /**
   * A mid-conversation system message (Claude Code sends them) as user
   * text in its place: Converse has no system role there, and moving it to
   * the top-level system would lose when it was said.
   */
  #systemMessage(content: Message['content']): ContentPart[] {
    const text = typeof content === 'string' ? content : content.map((b) => (b.type === 'text' ? (b as TextBlock).text : '')).join('\n');
    return isBlank(text) ? [] : [{ text }];
  }

  #blocks(content: Message['content'], role: 'user' | 'assistant'): ContentPart[] {
    if (typeof content === 'string') return isBlank(content) ? [] : [{ text: content }];
    const out: ContentPart[] = [];
    for (const block of content) {
      const before = out.length;
      this.#block(block, role, out);
      if (out.length > before && (block as { cache_control?: unknown }).cache_control) this.#cachePoint(out, 'prompt');
    }
    return out;
  }

  #block(block: ContentBlock | OtherBlock, role: 'user' | 'assistant', out: ContentPart[]): void {
    switch (block.type) {
      case 'text': {
        const text = (block as TextBlock).text;
        if (!isBlank(text)) out.push({ text });
        return;
      }
      case 'image':
        out.push(this.#image(block as ImageBlock));
        return;
      case 'document':
        out.push(this.#document(block as DocumentBlock));
        return;
      case 'tool_use':
        if (role === 'assistant') {
          const { id, name, input } = block as { id: string; name: string; input: unknown };
          out.push({ toolUse: { toolUseId: id, name, input: input ?? {} } });
        } else this.dropped.push('tool_use in a user message');
        return;
      case 'tool_result':
        if (role === 'user') out.push(this.#toolResult(block as ToolResultBlock));
        else this.dropped.push('tool_result in an assistant message');
        return;
      case 'thinking': {
        // Only Claude takes reasoning back, and only with the signature it issued; unsigned reasoning (from another family) is dropped.
        const { thinking, signature } = block as { thinking: string; signature?: string };
        if (this.#claude && signature) out.push({ reasoningContent: { reasoningText: { text: thinking, signature } } });
        else this.dropped.push('thinking');
        return;
      }
      case 'redacted_thinking':
        if (this.#claude) out.push({ reasoningContent: { redactedContent: (block as { data: string }).data } });
        else this.dropped.push('redacted_thinking');
        return;
      default:
        // Server tool calls and results, and block types Converse has no form for.
        this.dropped.push(block.type);
    }
  }

  #toolResult(block: ToolResultBlock): ContentPart {
    const content: ToolResultContent[] = [];
    if (typeof block.content === 'string') {
      if (!isBlank(block.content)) content.push({ text: block.content });
    } else {
      for (const part of block.content ?? []) {
        if (part.type === 'text') {
          if (!isBlank(part.text)) content.push({ text: part.text });
        } else if (part.type === 'image') content.push(this.#image(part));
        else if (part.type === 'document') content.push(this.#document(part));
      }
    }
    if (content.length === 0) content.push({ text: EMPTY_RESULT });
    const failed = block.is_error === true;
    if (this.#claude) return { toolResult: { toolUseId: block.tool_use_id, content, status: failed ? 'error' : 'success' } };
    // `status` is Claude's alone on Converse: other models learn of the failure from the text.
    if (failed) content.unshift({ text: 'Error:' });
    return { toolResult: { toolUseId: block.tool_use_id, content } };
  }

  #image(block: ImageBlock): ImagePart {
    const source = block.source;
    if (source.type !== 'base64') {
      throw new LynkrError(
        'LYNKR_ERR_REQUEST_INVALID',
        `provider "${this.#label}": Bedrock Converse takes images as bytes only, not by URL; send the image as base64`,
      );
    }
    const format = IMAGE_FORMATS[String(source.media_type).toLowerCase()];
    if (!format) {
      throw new LynkrError('LYNKR_ERR_REQUEST_INVALID', `provider "${this.#label}": Bedrock Converse does not take images of type ${source.media_type} (png, jpeg, gif, webp)`);
    }
    return { image: { format, source: { bytes: source.data } } };
  }

  #document(block: DocumentBlock): DocumentPart {
    const source = block.source as { type?: unknown; media_type?: unknown; data?: unknown };
    const mediaType = typeof source.media_type === 'string' ? source.media_type.toLowerCase() : '';
    const format = DOCUMENT_FORMATS[mediaType];
    let bytes: string | undefined;
    if (source.type === 'base64' && typeof source.data === 'string') bytes = source.data;
    else if (source.type === 'text' && typeof source.data === 'string') bytes = Buffer.from(source.data, 'utf8').toString('base64');
    if (!format || bytes === undefined) {
      throw new LynkrError(
        'LYNKR_ERR_REQUEST_INVALID',
        `provider "${this.#label}": Bedrock Converse takes documents as base64 or text data of type ${Object.keys(DOCUMENT_FORMATS).join(', ')}`,
      );
    }
    this.#documents += 1;
    return { document: { format, name: documentName(block.title, this.#documents), source: { bytes } } };
  }

  /** The client's tools Converse can declare: server tools (web search, code execution) have no Converse form. */
  #tools(requested: readonly Tool[] | undefined): Array<ToolSpec | CachePoint> {
    const tools: Array<ToolSpec | CachePoint> = [];
    for (const tool of requested ?? []) {
      if (tool.type !== undefined && tool.type !== 'custom') {
        this.dropped.push(`tool ${tool.type}`);
        continue;
      }
      tools.push(toolSpec(tool));
      if (tool.cache_control) this.#cachePoint(tools, 'tools');
    }
    return tools;
  }

  #toolConfig(tools: Array<ToolSpec | CachePoint>, choice: MessagesRequest['tool_choice'], messages: readonly ConverseMessage[]): ConverseRequest['toolConfig'] {
    const historyTools = toolNamesIn(messages);
    if (tools.length === 0 && historyTools.size === 0) return undefined;
    // `none` has no Converse form: without tool blocks in the history the tools are left out, as if none were offered.
    if (choice?.type === 'none' && historyTools.size === 0) return undefined;
    if (!tools.some(isToolSpec)) {
      // Converse refuses toolUse/toolResult blocks without a toolConfig, which Anthropic's API allows (compaction, titles):
      // the tools the history used are declared again, without parameters.
      for (const name of historyTools) tools.push({ toolSpec: { name, description: 'A tool used earlier in this conversation.', inputSchema: { json: { ...NO_PARAMETERS } } } });
      return { tools };
    }
    const toolChoice = toolChoiceOf(choice);
    return toolChoice ? { tools, toolChoice } : { tools };
  }

  /** Add a cache point where the model takes one (`prompt`: system and messages), within Anthropic's limit of four. */
  #cachePoint(out: Array<unknown>, where: 'prompt' | 'tools'): void {
    const scope = this.#profile.cache;
    if (scope === 'none' || (where === 'tools' && scope !== 'all')) return;
    if (this.#cachePoints >= MAX_CACHE_POINTS) return;
    this.#cachePoints += 1;
    out.push(CACHE_POINT);
  }
}

/** The IR request as a Converse request for the model of `profile`. */
export function toConverseRequest(request: MessagesRequest, options: EncodeOptions): Encoded {
  const encoder = new Encoder(options);
  const body = encoder.encode(request);
  return { body, dropped: encoder.dropped };
}

function isBlank(text: string | undefined): boolean {
  return text === undefined || text.trim() === '';
}

function isToolSpec(entry: ToolSpec | CachePoint): entry is ToolSpec {
  return 'toolSpec' in entry;
}

/** A tool without parameters still needs an object schema with `properties`. */
function toolSpec(tool: Tool): ToolSpec {
  const description = tool.description ? { description: tool.description } : {};
  return { toolSpec: { name: tool.name, ...description, inputSchema: { json: objectSchema(tool.input_schema) } } };
}

function objectSchema(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!schema || typeof schema !== 'object') return { ...NO_PARAMETERS };
  const isObject = schema.type === undefined || schema.type === 'object';
  return isObject && schema.properties === undefined ? { ...schema, type: 'object', properties: {} } : schema;
}

function toolChoiceOf(choice: MessagesRequest['tool_choice']): ToolChoice | undefined {
  switch (choice?.type) {
    case 'any':
      return { any: {} };
    case 'tool':
      return { tool: { name: choice.name } };
    case 'auto':
      return { auto: {} };
    default:
      // No choice, or `none` with tool blocks in the history: Converse's default, auto.
      return undefined;
  }
}

function toolNamesIn(messages: readonly ConverseMessage[]): Set<string> {
  const names = new Set<string>();
  let results = false;
  for (const message of messages) {
    for (const part of message.content) {
      if ('toolUse' in part) names.add(part.toolUse.name);
      else if ('toolResult' in part) results = true;
    }
  }
  // Results whose calls were cut from the history still need a toolConfig; any tool name will do.
  if (results && names.size === 0) names.add('tool');
  return names;
}

/** Anthropic requires a user turn's tool results before anything else; merging turns may have put text first. */
function toolResultsFirst(content: ContentPart[]): void {
  const isResult = (p: ContentPart) => 'toolResult' in p;
  // A cache point between results is no reason to reorder.
  const firstOther = content.findIndex((p) => !isResult(p) && !('cachePoint' in p));
  const lastResult = content.findLastIndex(isResult);
  if (firstOther < 0 || lastResult < firstOther) return;
  const ordered = [...content.filter(isResult), ...content.filter((p) => !isResult(p))];
  content.splice(0, content.length, ...ordered);
}

/**
 * A document's name as Converse accepts it: letters, digits, single spaces,
 * hyphens, parentheses and square brackets; unique within the request.
 */
function documentName(title: unknown, n: number): string {
  const cleaned = typeof title === 'string' ? title.replace(/[^A-Za-z0-9\s\-()[\]]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200) : '';
  return cleaned ? `${cleaned} (${n})` : `document ${n}`;
}
