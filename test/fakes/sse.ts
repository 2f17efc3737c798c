/**
 * Client-side helpers for tests that read streams: a strict SSE splitter and
 * a checker of the Anthropic stream grammar. They live with the fakes so
 * that the fakes' self-tests and the gateway's tests judge streams by the
 * same rules.
 */

export interface SseFrame {
  event?: string;
  data: string;
}

/**
 * Splits a whole SSE body into frames. Strict on purpose: a line that is not
 * `event:`, `data:`, `id:`, `retry:` or a comment throws, since a gateway
 * that emits one has broken its framing.
 */
export function parseSse(text: string): SseFrame[] {
  const frames: SseFrame[] = [];
  for (const block of text.split('\n\n')) {
    if (block === '') continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const m = /^(event|data|id|retry):( ?)(.*)$/.exec(line);
      if (!m) throw new Error(`not an SSE line: ${JSON.stringify(line)}`);
      if (m[1] === 'event') event = m[3];
      else if (m[1] === 'data') data.push(m[3] ?? '');
    }
    frames.push(event === undefined ? { data: data.join('\n') } : { event, data: data.join('\n') });
  }
  return frames;
}

/** Parses each frame's data as JSON; `[DONE]` and non-JSON data stay strings. */
export function sseJson(text: string): unknown[] {
  return parseSse(text).map((f) => {
    try {
      return JSON.parse(f.data) as unknown;
    } catch {
      return f.data;
    }
  });
}

type Json = Record<string, unknown>;

const DELTA_FOR_BLOCK: Record<string, string[]> = {
  text: ['text_delta', 'citations_delta'],
  thinking: ['thinking_delta', 'signature_delta'],
  tool_use: ['input_json_delta'],
  server_tool_use: ['input_json_delta'],
};

/**
 * Lists every way an Anthropic Messages stream breaks the grammar official
 * clients rely on; an empty list means the stream is well formed. Use as
 * `expect(anthropicStreamProblems(body)).toEqual([])` to get readable failures.
 */
export function anthropicStreamProblems(body: string): string[] {
  const problems: string[] = [];
  let frames: SseFrame[];
  try {
    frames = parseSse(body);
  } catch (err) {
    return [(err as Error).message];
  }
  if (!body.endsWith('\n\n')) problems.push('body does not end with a blank line');

  let open: { index: number; type: string; json: string } | undefined;
  let nextIndex = 0;
  let phase: 'start' | 'blocks' | 'delta' | 'stopped' | 'errored' = 'start';

  for (const [i, frame] of frames.entries()) {
    const where = `frame ${i} (${frame.event ?? 'no event'})`;
    let data: Json;
    try {
      data = JSON.parse(frame.data) as Json;
    } catch {
      problems.push(`${where}: data is not JSON`);
      continue;
    }
    if (frame.event !== data.type) problems.push(`${where}: event name differs from data.type ${String(data.type)}`);
    if (phase === 'stopped' || phase === 'errored') problems.push(`${where}: after the stream ended`);
    if (phase === 'start' && data.type !== 'message_start' && data.type !== 'error') {
      problems.push(`${where}: the first event must be message_start`);
    }
    const index = data.index;

    switch (data.type) {
      case 'message_start': {
        if (phase !== 'start') problems.push(`${where}: second message_start`);
        const usage = (data.message as Json | undefined)?.usage as Json | undefined;
        if (typeof usage?.input_tokens !== 'number' || typeof usage.output_tokens !== 'number') {
          problems.push(`${where}: message.usage needs numeric input_tokens and output_tokens`);
        }
        phase = 'blocks';
        break;
      }
      case 'ping':
        break;
      case 'content_block_start': {
        const block = data.content_block as Json | undefined;
        if (phase !== 'blocks') problems.push(`${where}: block start outside the content phase`);
        if (open) problems.push(`${where}: block ${open.index} still open`);
        if (index !== nextIndex) problems.push(`${where}: index ${String(index)}, expected ${nextIndex}`);
        if (typeof block?.type !== 'string') problems.push(`${where}: content_block without type`);
        if (block?.type === 'tool_use' && JSON.stringify(block.input) !== '{}') {
          problems.push(`${where}: tool_use must start with input {}`);
        }
        open = { index: nextIndex, type: String(block?.type), json: '' };
        nextIndex += 1;
        break;
      }
      case 'content_block_delta': {
        const delta = data.delta as Json | undefined;
        if (!open || index !== open.index) {
          problems.push(`${where}: delta for index ${String(index)} with no such open block`);
          break;
        }
        const allowed = DELTA_FOR_BLOCK[open.type];
        if (allowed && !allowed.includes(String(delta?.type))) {
          problems.push(`${where}: ${String(delta?.type)} inside a ${open.type} block`);
        }
        if (delta?.type === 'input_json_delta') open.json += String(delta.partial_json);
        break;
      }
      case 'content_block_stop':
        if (!open || index !== open.index) {
          problems.push(`${where}: stop for index ${String(index)} with no such open block`);
          break;
        }
        if (open.type === 'tool_use' || open.type === 'server_tool_use') {
          try {
            const input: unknown = JSON.parse(open.json === '' ? '{}' : open.json);
            if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error();
          } catch {
            problems.push(`${where}: tool input ${JSON.stringify(open.json)} is not a JSON object`);
          }
        }
        open = undefined;
        break;
      case 'message_delta': {
        const delta = data.delta as Json | undefined;
        const usage = data.usage as Json | undefined;
        if (phase !== 'blocks') problems.push(`${where}: message_delta out of place`);
        if (open) problems.push(`${where}: block ${open.index} still open`);
        if (!delta || !('stop_reason' in delta) || !('stop_sequence' in delta)) {
          problems.push(`${where}: delta needs stop_reason and stop_sequence`);
        }
        if (typeof usage?.output_tokens !== 'number') problems.push(`${where}: usage.output_tokens missing`);
        phase = 'delta';
        break;
      }
      case 'message_stop':
        if (phase !== 'delta') problems.push(`${where}: message_stop without message_delta before it`);
        phase = 'stopped';
        break;
      case 'error': {
        const error = data.error as Json | undefined;
        if (typeof error?.type !== 'string' || typeof error.message !== 'string') {
          problems.push(`${where}: error needs error.type and error.message`);
        }
        phase = 'errored';
        break;
      }
      default:
        problems.push(`${where}: unknown event type ${String(data.type)}`);
    }
  }
  if (phase !== 'stopped' && phase !== 'errored') problems.push('stream ended without message_stop or error');
  return problems;
}

/**
 * Reads a fetch body to its end or to the socket error that cut it, so a
 * test can assert both what arrived before a stream died and that it died.
 */
export async function readStreamBody(res: { body: AsyncIterable<Uint8Array> | null }): Promise<{ text: string; error?: unknown }> {
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of res.body ?? []) text += decoder.decode(chunk, { stream: true });
  } catch (error) {
    return { text, error };
  }
  return { text: text + decoder.decode() };
}
