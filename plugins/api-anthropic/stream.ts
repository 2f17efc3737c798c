/**
 * The Anthropic framing of a streamed answer, for the kernel's SSE writer:
 * each IR event as `event: NAME\ndata: JSON\n\n` (the IR is Anthropic's own
 * stream, so nothing is re-shaped), `ping` events while the upstream is
 * silent, and a well-formed `error` frame when the answer fails after the
 * first byte or ends before `message_stop`. An answer from an Anthropic
 * upstream passes as its bytes (kernel/ir/verbatim.ts), with the same pings
 * and error frame.
 */
import { encodeEvent, errorTypeForStatus, toLynkrError, type Exchange, type SseEncoding, type StreamEvent } from '../../kernel/index.js';
import { errorBody } from './errors.js';

const PING_EVENT = encodeEvent({ type: 'ping' });
/**
 * Before `message_start` a `ping` event would break the grammar strict
 * readers check (the stream must begin with message_start), so the
 * keep-alive is then an SSE comment, which every SSE parser skips.
 */
const PING_COMMENT = ': ping\n\n';

function errorFrame(type: string, message: string, requestId: string): string {
  return `event: error\ndata: ${JSON.stringify(errorBody(type, message, requestId))}\n\n`;
}

/** The encoding of one exchange's answer. */
export function anthropicEncoding(ex: Exchange): SseEncoding {
  return {
    // An Anthropic upstream's stream is written as it came, when nothing on the response path changes events.
    wire: 'anthropic',
    async *frames(events: AsyncIterable<StreamEvent>) {
      let ended = false;
      for await (const ev of events) {
        // A terminal event does not end the loop: the iterator's own end is what tells the kernel the answer is complete.
        if (ev.type === 'message_stop' || ev.type === 'error') ended = true;
        yield encodeEvent(ev);
      }
      if (!ended) {
        ex.log.warn('the answer ended before message_stop; closing the stream with an error event');
        yield errorFrame('api_error', 'the upstream stream ended before message_stop', ex.id);
      }
    },
    errorFrame(error) {
      const err = toLynkrError(error);
      return errorFrame(errorTypeForStatus(err.status), err.message, ex.id);
    },
    ping: (started) => (started ? PING_EVENT : PING_COMMENT),
  };
}
