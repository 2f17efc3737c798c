/**
 * AWS event-stream framing (`application/vnd.amazon.eventstream`): binary
 * messages, each a prelude (total length, headers length, prelude CRC),
 * typed headers, a payload and a message CRC. Frames do not follow the
 * body's chunks: one frame may span several chunks, one chunk may hold
 * several frames, so bytes are buffered until the prelude's total length
 * has arrived. The codec checks both CRCs.
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { LynkrError, parseUpstreamJson } from '../../kernel/index.js';

/** One decoded message: its string headers (`:message-type`, `:event-type`, …) and its payload. */
export interface EventFrame {
  headers: Record<string, string>;
  body: Uint8Array;
}

/** The prelude: total length and headers length (4 bytes each), then its CRC (4 bytes). The message CRC closes the frame. */
const PRELUDE = 12;
const MESSAGE_CRC = 4;
/** AWS's limit for one event-stream message (16 MiB of payload, 128 KiB of headers), so a corrupt length fails fast. */
const MAX_FRAME = 16 * 1024 * 1024 + 128 * 1024 + PRELUDE + MESSAGE_CRC;

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** The frames of an event-stream body, decoded as their last byte arrives. */
export async function* decodeEventStream(body: AsyncIterable<Uint8Array>, label: string): AsyncGenerator<EventFrame> {
  let buffer: Uint8Array = new Uint8Array(0);
  for await (const chunk of body) {
    buffer = buffer.length === 0 ? chunk : concat(buffer, chunk);
    let offset = 0;
    while (buffer.length - offset >= PRELUDE) {
      const view = new DataView(buffer.buffer, buffer.byteOffset + offset, PRELUDE);
      const total = view.getUint32(0);
      if (total < PRELUDE + MESSAGE_CRC || total > MAX_FRAME) {
        throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${label}" sent an event-stream frame of impossible length ${total}`);
      }
      if (buffer.length - offset < total) break;
      yield decodeFrame(buffer.subarray(offset, offset + total), label);
      offset += total;
    }
    buffer = offset === 0 ? buffer : buffer.slice(offset);
  }
  if (buffer.length > 0) {
    throw new LynkrError('LYNKR_ERR_UPSTREAM_DISCONNECTED', `upstream "${label}" ended its event stream in the middle of a frame`);
  }
}

function decodeFrame(bytes: Uint8Array, label: string): EventFrame {
  let message;
  try {
    message = codec.decode(bytes);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new LynkrError('LYNKR_ERR_UPSTREAM_PROTOCOL', `upstream "${label}" sent a malformed event-stream frame: ${why}`, { cause });
  }
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(message.headers)) {
    if (header.type === 'string') headers[name] = header.value;
  }
  return { headers, body: message.body };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** A frame's payload as JSON (an empty payload is an empty object). */
export function framePayload(frame: EventFrame, label: string): unknown {
  return frame.body.length === 0 ? {} : parseUpstreamJson(toUtf8(frame.body), label);
}
