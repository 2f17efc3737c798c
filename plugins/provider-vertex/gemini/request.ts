/**
 * IR request → Gemini `generateContent` request.
 */
import type {
  ContentBlock,
  DocumentBlock,
  ImageBlock,
  Message,
  MessagesRequest,
  OtherBlock,
  Tool,
  ToolChoice,
  ToolResultBlock,
  ToolUseBlock,
} from '../../../kernel/index.js';
import { toGeminiParameters } from './schema.js';
import { requiresSignatures, SKIP_SIGNATURE, type ThoughtSignatures } from './signatures.js';
import type { GeminiContent, GeminiFunctionDeclaration, GeminiPart, GeminiRequest, GeminiThinkingConfig } from './types.js';

type AnyBlock = ContentBlock | OtherBlock;

/** Gemini takes at most five stop sequences and answers 400 to more. */
const MAX_STOP_SEQUENCES = 5;

const PARAGRAPH = '\n\n';

/** @public */
export interface ToGeminiOptions {
  /** The upstream model: decides whether function calls need a thought signature. */
  model: string;
  /** `max_tokens` is clamped to it. */
  maxOutputTokens: number;
  /** The thinking budgets the model accepts; undefined for a model that does not think (the client's `thinking` is then dropped). */
  thinkingBudget?: { min: number; max: number };
  /** Where the signatures of earlier function calls are kept. */
  signatures?: ThoughtSignatures;
}

/**
 * An IR request as a Gemini request.
 *
 * - Roles: `assistant` → `model`; a mid-conversation `system` message
 *   becomes user text at its place (Gemini has one system instruction, and
 *   moving the reminder there would lose where it was said). Consecutive
 *   contents of one role are merged, as Gemini wants turns to alternate.
 * - `tool_result` → `functionResponse` named after the `tool_use` it answers
 *   (Gemini has no call ids: it matches responses to calls by name and
 *   order), with `{output}` or, for `is_error`, `{error}`. Function
 *   responses come first in their user turn. A result whose call is not in
 *   the history becomes text. Images in a result follow as parts of the
 *   same turn.
 * - Images: base64 → `inlineData`, URL → `fileData`. PDFs (base64) →
 *   `inlineData`; text documents → text. Thinking blocks from earlier turns
 *   are not sent back (Gemini takes no thought text as input); the
 *   signatures Gemini needs go with function calls (see signatures.ts).
 * - Tools: client tools only (server tools such as `web_search_…` cannot run
 *   on Gemini), schemas cleaned by schema.ts. `tool_choice` auto/any/none →
 *   AUTO/ANY/NONE, `{type: "tool", name}` → ANY restricted to that name.
 *   `disable_parallel_tool_use` has no Gemini form and is dropped.
 * - Sampling: `temperature`, `top_p`, `top_k`, the first five
 *   `stop_sequences`. `metadata` and `cache_control` have no Gemini form.
 * - `thinking`: `enabled` → `thinkingBudget` (clamped to what the model
 *   takes) with thought summaries; `adaptive` → a budget of -1 (the model
 *   decides); `disabled` leaves the model's default.
 */
export function toGeminiRequest(req: MessagesRequest, opts: ToGeminiOptions): GeminiRequest {
  const names = toolNamesById(req.messages);
  const turns = new Turns();
  for (const message of req.messages) {
    if (message.role === 'assistant') turns.add('model', modelParts(message.content, opts));
    else if (message.role === 'system') turns.add('user', textParts(message.content));
    else {
      const [responses, others] = userParts(message.content, names);
      turns.add('user', others, responses);
    }
  }

  const out: GeminiRequest = { contents: turns.contents(), generationConfig: {} };
  const system = systemParts(req.system);
  if (system.length > 0) out.systemInstruction = { parts: system };

  const declarations = (req.tools ?? []).filter((t) => t.type === undefined || t.type === 'custom').map(declaration);
  if (declarations.length > 0) {
    out.tools = [{ functionDeclarations: declarations }];
    if (req.tool_choice) out.toolConfig = { functionCallingConfig: callingConfig(req.tool_choice) };
  }

  const config = out.generationConfig;
  config.maxOutputTokens = Math.min(req.max_tokens, opts.maxOutputTokens);
  if (req.temperature !== undefined) config.temperature = req.temperature;
  if (req.top_p !== undefined) config.topP = req.top_p;
  if (req.top_k !== undefined) config.topK = req.top_k;
  if (req.stop_sequences?.length) config.stopSequences = req.stop_sequences.slice(0, MAX_STOP_SEQUENCES);
  const thinking = thinkingConfig(req, opts.thinkingBudget);
  if (thinking) config.thinkingConfig = thinking;
  return out;
}

/** Contents with consecutive turns of one role merged; function responses ahead of the rest of a user turn. */
class Turns {
  readonly #out: Array<{ role: 'user' | 'model'; responses: GeminiPart[]; parts: GeminiPart[] }> = [];

  add(role: 'user' | 'model', parts: GeminiPart[], responses: GeminiPart[] = []): void {
    if (parts.length === 0 && responses.length === 0) return;
    const last = this.#out.at(-1);
    if (last?.role === role) {
      last.responses.push(...responses);
      last.parts.push(...parts);
    } else this.#out.push({ role, responses: [...responses], parts: [...parts] });
  }

  contents(): GeminiContent[] {
    return this.#out.map(({ role, responses, parts }) => ({ role, parts: [...responses, ...parts] }));
  }
}

/** Every tool_use id of the conversation → its tool's name. */
function toolNamesById(messages: readonly Message[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    if (message.role !== 'assistant' || typeof message.content === 'string') continue;
    for (const block of message.content) {
      if (block.type === 'tool_use') names.set((block as ToolUseBlock).id, (block as ToolUseBlock).name);
    }
  }
  return names;
}

function systemParts(system: MessagesRequest['system']): Array<{ text: string }> {
  if (system === undefined) return [];
  if (typeof system === 'string') return system ? [{ text: system }] : [];
  return system.filter((b) => b.text).map((b) => ({ text: b.text }));
}

function textParts(content: Message['content']): GeminiPart[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  return content.flatMap((b) => (b.type === 'text' && b.text ? [{ text: b.text as string }] : []));
}

function modelParts(content: Message['content'], opts: ToGeminiOptions): GeminiPart[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  const parts: GeminiPart[] = [];
  let firstCall = true;
  for (const block of content) {
    if (block.type === 'text' && block.text) parts.push({ text: block.text as string });
    else if (block.type === 'tool_use') {
      const use = block as ToolUseBlock;
      const part: GeminiPart = { functionCall: { name: use.name, args: use.input ?? {} } };
      // Gemini signs the first call of a step; the others of a parallel set carry none.
      const signature = opts.signatures?.recall(use.id) ?? (firstCall && requiresSignatures(opts.model) ? SKIP_SIGNATURE : undefined);
      if (signature) part.thoughtSignature = signature;
      firstCall = false;
      parts.push(part);
    }
    // thinking and redacted_thinking: Gemini takes no thought text as input.
  }
  return parts;
}

/** A user message as [function responses, other parts]. */
function userParts(content: Message['content'], names: ReadonlyMap<string, string>): [GeminiPart[], GeminiPart[]] {
  if (typeof content === 'string') return [[], content ? [{ text: content }] : []];
  const responses: GeminiPart[] = [];
  const others: GeminiPart[] = [];
  for (const block of content) {
    if (block.type !== 'tool_result') {
      const part = partOf(block);
      if (part) others.push(part);
      continue;
    }
    const result = block as ToolResultBlock;
    const { text, media } = flattenResult(result);
    const name = names.get(result.tool_use_id);
    if (name === undefined) {
      // No call to answer: Gemini would refuse a response it cannot pair, so the result stays readable as text.
      others.push({ text: `Result of tool call ${result.tool_use_id}${result.is_error ? ' (error)' : ''}:\n${text}` });
    } else {
      responses.push({ functionResponse: { name, response: result.is_error ? { error: text } : { output: text } } });
    }
    others.push(...media);
  }
  return [responses, others];
}

function partOf(block: AnyBlock): GeminiPart | undefined {
  switch (block.type) {
    case 'text':
      return block.text ? { text: block.text as string } : undefined;
    case 'image':
      return imagePart(block as ImageBlock);
    case 'document':
      return documentPart(block as DocumentBlock);
    default:
      return undefined;
  }
}

function imagePart(block: ImageBlock): GeminiPart | undefined {
  const { source } = block;
  if (source.type === 'base64') return { inlineData: { mimeType: source.media_type, data: source.data } };
  if (source.type === 'url') return { fileData: { mimeType: mimeFromUrl(source.url), fileUri: source.url } };
  return undefined;
}

function documentPart(block: DocumentBlock): GeminiPart | undefined {
  const source = block.source as { type?: string; data?: unknown; media_type?: unknown; url?: unknown };
  if (source.type === 'text' && typeof source.data === 'string') return { text: source.data };
  if (source.type === 'base64' && typeof source.data === 'string') {
    return { inlineData: { mimeType: typeof source.media_type === 'string' ? source.media_type : 'application/pdf', data: source.data } };
  }
  if (source.type === 'url' && typeof source.url === 'string') return { fileData: { mimeType: 'application/pdf', fileUri: source.url } };
  return undefined;
}

const MIME_BY_EXTENSION: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic' };

/** Gemini needs a MIME type with a file URI; the extension is all there is to go on. */
function mimeFromUrl(url: string): string {
  const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  return (extension && MIME_BY_EXTENSION[extension]) ?? 'image/jpeg';
}

function flattenResult(result: ToolResultBlock): { text: string; media: GeminiPart[] } {
  if (typeof result.content === 'string' || result.content === undefined) return { text: result.content ?? '', media: [] };
  const texts: string[] = [];
  const media: GeminiPart[] = [];
  for (const item of result.content) {
    const part = partOf(item);
    if (part?.text !== undefined) texts.push(part.text);
    else if (part) media.push(part);
  }
  return { text: texts.join(PARAGRAPH), media };
}

function declaration(tool: Tool): GeminiFunctionDeclaration {
  const out: GeminiFunctionDeclaration = { name: tool.name };
  if (tool.description) out.description = tool.description;
  const parameters = toGeminiParameters(tool.input_schema);
  if (parameters) out.parameters = parameters;
  return out;
}

function callingConfig(choice: ToolChoice): NonNullable<GeminiRequest['toolConfig']>['functionCallingConfig'] {
  switch (choice.type) {
    case 'any':
      return { mode: 'ANY' };
    case 'tool':
      return { mode: 'ANY', allowedFunctionNames: [choice.name] };
    case 'none':
      return { mode: 'NONE' };
    default:
      return { mode: 'AUTO' };
  }
}

function thinkingConfig(req: MessagesRequest, budget: ToGeminiOptions['thinkingBudget']): GeminiThinkingConfig | undefined {
  const thinking = req.thinking;
  if (!budget || !thinking) return undefined;
  if (thinking.type === 'adaptive') return { thinkingBudget: -1, includeThoughts: true };
  if (thinking.type !== 'enabled') return undefined;
  // Claude Code's side requests may ask for less than a model's minimum: clamp rather than fail.
  const tokens = Math.min(Math.max(thinking.budget_tokens, budget.min), budget.max);
  return { thinkingBudget: tokens, includeThoughts: true };
}
