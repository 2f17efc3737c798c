/**
 * `POST /v1/responses`: rebuild the conversation (from the store when the
 * request continues a previous response), decode with the Responses codec,
 * run the pipeline, answer as typed SSE events or as one `Response` object,
 * and store the response when asked.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  sendAnswer,
  encodeSSE,
  fromResponsesRequest,
  ResponsesStreamEncoder,
  responsesError,
  StreamError,
  streamAnswer,
  toLynkrError,
  toResponsesStream,
  type Exchange,
  type ResponsesError,
  type ResponsesInputItem,
  type ResponsesRequest,
  type ResponsesStreamEvent,
  type SseEncoding,
  type StreamEvent,
} from '../../kernel/index.js';
import type { RouteSettings } from './chat.js';
import { invalidParam } from './errors.js';
import { parseResponsesRequest } from './request.js';
import { collect, failed, openaiId, unixNow, type Waited } from './route.js';
import type { ResponseStore } from './store.js';

/** What the Responses route needs besides the shared settings. */
export interface ResponsesSettings extends RouteSettings {
  /** Undefined when storing responses is turned off. */
  store: ResponseStore | undefined;
  /** The wire of a provider, which is the family of the reasoning its answers carry. */
  wireOf(provider: string): string | undefined;
}

/** The reasoning of an answer a preRoute plugin gave (a cache): its family is unknown, so no upstream gets it back. */
const UNKNOWN_FAMILY = 'lynkr';

/** The route handler. */
export function responsesHandler(settings: ResponsesSettings) {
  return async (req: FastifyRequest, reply: FastifyReply, ex: Exchange): Promise<unknown> => {
    const waited: Waited = { ms: 0 };
    try {
      const body = parseResponsesRequest(req.body);
      const history = body.previous_response_id ? await historyOf(settings.store, body.previous_response_id) : [];
      const { request, toolNames } = fromResponsesRequest(body, {
        history,
        defaultMaxTokens: settings.defaultMaxTokens,
        onDrop: (what) => ex.log.debug(`left out ${what}`),
      });
      const result = await settings.pipeline.handle(request, ex);
      const store = body.store !== false ? settings.store : undefined;
      const encoder = new ResponsesStreamEncoder({
        id: openaiId('resp_'),
        createdAt: unixNow(),
        model: result.decision?.model ?? body.model ?? '',
        request: body,
        toolNames,
        reasoningFamily: (result.decision?.provider && settings.wireOf(result.decision.provider)) || UNKNOWN_FAMILY,
        includeEncrypted: body.include?.includes('reasoning.encrypted_content') === true,
        store: store !== undefined,
      });
      const save = store ? () => saveResponse(store, encoder, [...history, ...inputItems(body)], ex) : undefined;

      if (body.stream === true) return await streamAnswer(reply, result, ex, { pingIntervalMs: settings.pingIntervalMs, encoding: responsesEncoding(encoder, save) });
      const response = encoder.encodeWhole(await collect(result, waited));
      await save?.();
      return sendAnswer(reply, response, result.headers, ex, waited.ms);
    } catch (caught) {
      return failed(caught, reply, ex, waited);
    }
  };
}

function historyOf(store: ResponseStore | undefined, id: string): Promise<ResponsesInputItem[]> {
  if (!store) {
    throw invalidParam('previous_response_id', 'previous_response_id needs stored responses, which this Lynkr does not keep (api-openai storeResponses: false): send the whole conversation as input.');
  }
  return store.history(id);
}

/** The request's own input as items: a string input is one user message. */
function inputItems(body: ResponsesRequest): ResponsesInputItem[] {
  if (typeof body.input === 'string') return [{ role: 'user', content: body.input }];
  return body.input ?? [];
}

/**
 * Store a finished response. A completed or incomplete one is kept; a
 * failed one is not, as OpenAI does. A store that fails costs the client
 * its continuation, not its answer: the failure is logged.
 */
async function saveResponse(store: ResponseStore, encoder: ResponsesStreamEncoder, input: ResponsesInputItem[], ex: Exchange): Promise<void> {
  const { id, status } = encoder.response;
  if (status !== 'completed' && status !== 'incomplete') return;
  try {
    if (!(await store.save(id, input, encoder.storedOutput))) ex.log.warn({ response: id }, 'response not stored: its conversation is larger than storeMaxBytes');
  } catch (error) {
    ex.log.error({ err: error, response: id }, 'response not stored');
  }
}

/**
 * The error of a `response.failed`. An upstream's failure event keeps the
 * codec's reading of its type; Lynkr's own errors map by status to the
 * codes OpenAI uses there.
 */
function describeError(error: unknown): ResponsesError {
  if (error instanceof StreamError) return responsesError(error);
  const err = toLynkrError(error);
  const code = err.status === 429 ? 'rate_limit_exceeded' : err.status === 400 || err.status === 413 ? 'invalid_prompt' : 'server_error';
  return { code, message: err.message };
}

const frame = (ev: ResponsesStreamEvent): string => encodeSSE(ev.type, JSON.stringify(ev));

/** The Responses stream's framing: `event:` and `data:` lines per event; failures end with `response.failed`. */
function responsesEncoding(encoder: ResponsesStreamEncoder, save: (() => Promise<void>) | undefined): SseEncoding {
  return {
    frames: (events) => responsesFrames(events, encoder, save),
    // The encoder turns failures into response.failed itself; this covers one raised while writing that.
    errorFrame: (error) => encoder.fail(describeError(error)).map(frame).join(''),
  };
}

async function* responsesFrames(events: AsyncIterable<StreamEvent>, encoder: ResponsesStreamEncoder, save: (() => Promise<void>) | undefined): AsyncGenerator<string> {
  for await (const ev of toResponsesStream(events, encoder, describeError)) {
    // Stored before the client hears the response is done, so that a continuation sent at once finds it.
    if (save && (ev.type === 'response.completed' || ev.type === 'response.incomplete')) await save();
    yield frame(ev);
  }
}
