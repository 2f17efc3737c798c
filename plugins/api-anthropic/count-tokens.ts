/**
 * `POST /v1/messages/count_tokens` answered locally. Claude's tokenizer is
 * not public, so text is counted with OpenAI's o200k_base (gpt-tokenizer):
 * an approximation of Claude's count, not the count itself. Images and PDFs
 * follow Anthropic's documented estimates. Clients use the number to decide
 * when to compact a conversation, so what cannot be measured (an image
 * behind a URL) is counted at its documented maximum.
 */
import type { CountTokensRequest, Exchange, ImageSource, Message, Tool } from '../../kernel/index.js';
import { imageSize } from './image-size.js';

/**
 * What answers count_tokens. {@link localTokenCounter} is the one Lynkr
 * has; a counter that asks an Anthropic-family upstream's own endpoint
 * would implement this interface too, and `index.ts` is where one is chosen.
 */
export interface TokenCounter {
  count(request: CountTokensRequest, ex: Exchange): Promise<number>;
}

/** Counts the tokens of a piece of text. */
export type TextCounter = (text: string) => number;

let tokenizer: Promise<TextCounter> | undefined;

/**
 * The o200k_base counter, loaded on first use: its tables take about a
 * quarter of a second to load, which boot and requests that never count
 * tokens should not pay.
 */
export function loadTokenizer(): Promise<TextCounter> {
  tokenizer ??= import('gpt-tokenizer/encoding/o200k_base').then(({ countTokens }) => {
    // Text such as "<|endoftext|>" in a prompt is plain text to Claude; by default gpt-tokenizer throws on it.
    const options = { disallowedSpecial: new Set<string>() };
    return (text: string) => (text === '' ? 0 : countTokens(text, options));
  });
  return tokenizer;
}

/** The local counter: {@link countRequestTokens} with o200k_base. */
export const localTokenCounter: TokenCounter = {
  async count(request) {
    return countRequestTokens(request, await loadTokenizer());
  },
};

/** Role markers around each message (Anthropic's prompt format spends a few tokens per turn). */
export const MESSAGE_TOKENS = 3;
/**
 * The system prompt Anthropic adds when a request has tools, per its
 * pricing docs for Claude 4 models: 346 tokens with tool_choice auto or
 * none, 313 with any or tool.
 */
export const TOOL_PROMPT_TOKENS = { auto: 346, forced: 313 } as const;
/** Anthropic scales an image down until its long edge is at most 1568 px... */
export const IMAGE_MAX_EDGE = 1568;
/** ...and it costs at most about 1600 tokens (width × height / 750 after scaling). */
export const IMAGE_MAX_TOKENS = 1600;
/** An image whose size cannot be read (a URL, a file id, an unknown format) is counted at the maximum. */
export const IMAGE_UNKNOWN_TOKENS = IMAGE_MAX_TOKENS;
/**
 * A PDF page: the top of Anthropic's documented 1,500-3,000 text tokens per
 * page (each page also goes in as an image, which this leaves out).
 */
export const PDF_PAGE_TOKENS = 3000;

/**
 * Input tokens of a request: system, messages (text, tool uses with their
 * input, tool results, images, documents), and tool definitions serialized
 * as JSON. Thinking blocks count only in the last assistant message, as
 * Anthropic drops those of earlier turns from the context. Text is counted
 * in one pass over all pieces joined, which is faster than a call per block
 * and differs only at the joins.
 */
export function countRequestTokens(request: CountTokensRequest, countText: TextCounter): number {
  const texts: string[] = [];
  let extra = 0;
  const add = (block: unknown, thinking: boolean): void => {
    extra += blockTokens(block, texts, thinking);
  };

  if (typeof request.system === 'string') texts.push(request.system);
  else for (const block of request.system ?? []) add(block, false);

  const lastAssistant = request.messages.findLastIndex((m) => m.role === 'assistant');
  request.messages.forEach((message: Message, i) => {
    extra += MESSAGE_TOKENS;
    if (typeof message.content === 'string') texts.push(message.content);
    else for (const block of message.content) add(block, i === lastAssistant);
  });

  const tools = request.tools ?? [];
  if (tools.length > 0) {
    const forced = request.tool_choice?.type === 'any' || request.tool_choice?.type === 'tool';
    extra += forced ? TOOL_PROMPT_TOKENS.forced : TOOL_PROMPT_TOKENS.auto;
    for (const tool of tools) texts.push(JSON.stringify(toolDefinition(tool)));
  }
  return countText(texts.join('\n')) + extra;
}

/** A tool as the model sees it: `cache_control` is an instruction to the API, not content. */
function toolDefinition(tool: Tool): Record<string, unknown> {
  const { cache_control: _cache, ...definition } = tool;
  return definition;
}

/** Pushes the block's text onto `texts`; returns the tokens counted otherwise (images, PDFs). */
function blockTokens(block: unknown, texts: string[], thinking: boolean): number {
  if (typeof block !== 'object' || block === null) return 0;
  const b = block as Record<string, unknown>;
  switch (b.type) {
    case 'text':
      if (typeof b.text === 'string') texts.push(b.text);
      return 0;
    case 'image':
      return imageTokens(b.source as ImageSource | undefined);
    case 'document':
      return documentTokens(b, texts);
    case 'tool_use':
      texts.push(String(b.name ?? ''), JSON.stringify(b.input ?? {}));
      return 0;
    case 'tool_result':
      if (typeof b.content === 'string') {
        texts.push(b.content);
        return 0;
      }
      return Array.isArray(b.content) ? b.content.reduce<number>((n, inner) => n + blockTokens(inner, texts, false), 0) : 0;
    case 'thinking':
      if (thinking && typeof b.thinking === 'string') texts.push(b.thinking);
      return 0;
    case 'redacted_thinking':
      // Opaque encrypted data: its size says nothing reliable about the tokens it stands for.
      return 0;
    default: {
      // Server tool calls and results, search results, blocks newer than this code: their JSON is a fair proxy.
      const { cache_control: _cache, ...rest } = b;
      texts.push(JSON.stringify(rest));
      return 0;
    }
  }
}

/**
 * Anthropic's formula: tokens ≈ width × height / 750, after scaling the
 * long edge down to 1568 px, at most about 1600.
 */
export function imageTokens(source: ImageSource | undefined): number {
  if (source?.type !== 'base64' || typeof source.data !== 'string') return IMAGE_UNKNOWN_TOKENS;
  const size = imageSize(decodeHead(source.data)) ?? imageSize(Buffer.from(source.data, 'base64'));
  if (!size) return IMAGE_UNKNOWN_TOKENS;
  const scale = Math.min(1, IMAGE_MAX_EDGE / Math.max(size.width, size.height));
  const tokens = Math.ceil((size.width * scale * size.height * scale) / 750);
  return Math.min(tokens, IMAGE_MAX_TOKENS);
}

/** Most formats hold their size in the first bytes: decode those before decoding megabytes (JPEG may need more). */
function decodeHead(base64: string): Buffer {
  return Buffer.from(base64.slice(0, 4096), 'base64');
}

function documentTokens(block: Record<string, unknown>, texts: string[]): number {
  for (const key of ['title', 'context']) if (typeof block[key] === 'string') texts.push(block[key]);
  const source = block.source as Record<string, unknown> | undefined;
  switch (source?.type) {
    case 'text':
      if (typeof source.data === 'string') texts.push(source.data);
      return 0;
    case 'content':
      if (typeof source.content === 'string') {
        texts.push(source.content);
        return 0;
      }
      return Array.isArray(source.content) ? source.content.reduce<number>((n, inner) => n + blockTokens(inner, texts, false), 0) : 0;
    case 'base64':
      return typeof source.data === 'string' ? pdfPages(Buffer.from(source.data, 'base64')) * PDF_PAGE_TOKENS : PDF_PAGE_TOKENS;
    default:
      // A URL or a file id: the page count is unknown, count one page.
      return PDF_PAGE_TOKENS;
  }
}

/** Pages of a PDF: its `/Type /Page` objects (not `/Pages`, the tree nodes). At least one. */
function pdfPages(pdf: Buffer): number {
  const matches = pdf.toString('latin1').match(/\/Type\s*\/Page(?![A-Za-z])/g);
  return Math.max(1, matches?.length ?? 0);
}
