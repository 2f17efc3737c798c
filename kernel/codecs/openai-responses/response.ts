/**
 * Whole (non-streamed) answers both ways.
 */
import { newId } from '../../ir/ids.js';
import { messageToEvents, StreamError } from '../../ir/stream.js';
import { parseToolInput } from '../../ir/tool-input.js';
import type { ContentBlock, MessagesResponse, OtherBlock } from '../../ir/types.js';
import { ResponsesStreamEncoder, type ToResponsesOptions } from './encoder.js';
import { statusToStopReason, usageFromResponses } from './mapping.js';
import { customInput } from '../openai-chat/custom-tools.js';
import { flatToolName } from './tools.js';
import type { ResponsesResponse } from './types.js';

/**
 * An IR answer as a `Response` object: the same items, in the same order,
 * as {@link toResponsesStream} streams them.
 * @public
 */
export function toResponsesResponse(msg: MessagesResponse, opts: ToResponsesOptions): ResponsesResponse {
  const encoder = new ResponsesStreamEncoder(opts);
  encoder.start();
  for (const ev of messageToEvents(msg)) encoder.push(ev);
  return encoder.response;
}

/** @public */
export interface FromResponsesResponseOptions {
  /** The model name the client should see. */
  model: string;
  /** The answer's id; a fresh `msg_…` id by default. */
  messageId?: string;
  /**
   * Keep reasoning items as thinking blocks (summary as text,
   * `encrypted_content` as signature). Off by default: only an OpenAI
   * upstream can read them back.
   */
  keepReasoning?: boolean;
}

/**
 * A `Response` object as an IR answer. Function calls become `tool_use`
 * blocks under their flat IR name (`<namespace>__<name>` for namespaced
 * ones); a custom tool call's text becomes `{ input }`. A failed response
 * throws a {@link StreamError}.
 * @public
 */
export function fromResponsesResponse(res: ResponsesResponse, opts: FromResponsesResponseOptions): MessagesResponse {
  if (res.status === 'failed') throw new StreamError({ type: 'api_error', message: res.error?.message ?? 'the response failed' });
  const content: Array<ContentBlock | OtherBlock> = [];
  let calls = false;
  for (const item of res.output ?? []) {
    switch (item.type) {
      case 'message':
        for (const part of item.content) {
          const text = part.type === 'output_text' ? part.text : part.refusal;
          if (text) content.push({ type: 'text', text });
        }
        break;
      case 'function_call':
        calls = true;
        content.push({ type: 'tool_use', id: item.call_id, name: flatToolName(item.name, item.namespace), input: parseToolInput(item.arguments ?? '') });
        break;
      case 'custom_tool_call':
        calls = true;
        content.push({ type: 'tool_use', id: item.call_id, name: flatToolName(item.name, item.namespace), input: customInput(item.input ?? '') });
        break;
      case 'reasoning':
        if (opts.keepReasoning) {
          const thinking = (item.summary ?? []).map((s) => s.text).join('\n\n');
          content.push({ type: 'thinking', thinking, signature: item.encrypted_content ?? '' });
        }
        break;
    }
  }
  return {
    id: opts.messageId ?? newId('msg'),
    type: 'message',
    role: 'assistant',
    model: opts.model,
    content,
    stop_reason: statusToStopReason(res, calls),
    stop_sequence: null,
    usage: usageFromResponses(res.usage),
  };
}
