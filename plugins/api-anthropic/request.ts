import {
  formatValidationErrors,
  LynkrError,
  validateCountTokensRequest,
  validateMessagesRequest,
  type ValidationError,
  type ValidationResult,
} from '../../kernel/index.js';

/** No model writes more; a larger max_tokens is a client's bug (2^31 - 1, the largest value upstream APIs take). */
export const MAX_OUTPUT_TOKENS = 2_147_483_647;

/** Errors listed in one message, as formatValidationErrors lists schema errors. */
const MAX_LISTED = 6;

function parse<T extends { max_tokens?: number; messages: unknown[] }>(body: unknown, validate: (body: unknown) => ValidationResult<T>, expected: string): T {
  // Without a JSON content type fastify hands over no body (or a string): say what is wrong instead of "(root): Expected object".
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new LynkrError('LYNKR_ERR_REQUEST_INVALID', `the request body must be a JSON object with ${expected} (send content-type: application/json)`);
  }
  const result = validate(body);
  if (!result.ok) throw new LynkrError('LYNKR_ERR_REQUEST_INVALID', formatValidationErrors(result.errors));
  const errors = contentErrors(result.value);
  if (errors.length > 0) throw new LynkrError('LYNKR_ERR_REQUEST_INVALID', formatValidationErrors(errors));
  return result.value;
}

/** The body of `POST /v1/messages`, checked; a LynkrError (400) naming the fields otherwise. */
export const parseMessagesRequest = (body: unknown) => parse(body, validateMessagesRequest, 'model, max_tokens and messages');

/** The body of `POST /v1/messages/count_tokens`, checked; a LynkrError (400) naming the fields otherwise. */
export const parseCountTokensRequest = (body: unknown) => parse(body, validateCountTokensRequest, 'model and messages');

/**
 * What the schema leaves open and the codecs rely on: a sane max_tokens,
 * and the fields of the block types Lynkr reads (text, image, document,
 * tool_use, tool_result, thinking). A block of another type passes as it
 * is, for an Anthropic upstream to judge: new types must not be refused.
 */
function contentErrors(request: { max_tokens?: number; messages: unknown[] }): ValidationError[] {
  const errors: ValidationError[] = [];
  if (request.max_tokens !== undefined && request.max_tokens > MAX_OUTPUT_TOKENS) errors.push({ path: 'max_tokens', message: `Expected an integer <= ${MAX_OUTPUT_TOKENS}` });
  request.messages.forEach((m, i) => {
    const content = (m as { content: unknown }).content;
    if (Array.isArray(content)) content.forEach((block, j) => blockErrors(block, `messages[${i}].content[${j}]`, errors));
  });
  return errors;
}

/** The string fields each source type needs. */
const SOURCE_FIELDS: Record<string, readonly string[]> = { base64: ['media_type', 'data'], url: ['url'], text: ['data'] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function blockErrors(block: unknown, at: string, errors: ValidationError[]): void {
  if (errors.length >= MAX_LISTED) return;
  if (!isObject(block) || typeof block.type !== 'string') {
    // The schema checks the blocks of messages; this is reached for those inside a tool_result.
    errors.push({ path: at, message: 'Expected an object with a string type' });
    return;
  }
  const expect = (ok: boolean, field: string, message: string): void => void (ok || errors.push({ path: `${at}.${field}`, message }));
  switch (block.type) {
    case 'text':
      return expect(typeof block.text === 'string', 'text', 'Expected string');
    case 'image':
    case 'document': {
      const source = block.source;
      if (!isObject(source) || typeof source.type !== 'string') return expect(false, 'source', 'Expected an object with a string type');
      // The forms the codecs turn into data or URLs; other source types pass as they are.
      for (const key of SOURCE_FIELDS[source.type] ?? []) expect(typeof source[key] === 'string', `source.${key}`, 'Expected string');
      return;
    }
    case 'tool_use':
      expect(typeof block.id === 'string', 'id', 'Expected string');
      expect(typeof block.name === 'string', 'name', 'Expected string');
      return expect(isObject(block.input), 'input', 'Expected object');
    case 'tool_result': {
      expect(typeof block.tool_use_id === 'string', 'tool_use_id', 'Expected string');
      const inner = block.content;
      if (Array.isArray(inner)) inner.forEach((b, k) => blockErrors(b, `${at}.content[${k}]`, errors));
      else expect(inner === undefined || typeof inner === 'string', 'content', 'Expected string or array');
      return;
    }
    case 'thinking':
      expect(typeof block.thinking === 'string', 'thinking', 'Expected string');
      return expect(block.signature === undefined || typeof block.signature === 'string', 'signature', 'Expected string');
    case 'redacted_thinking':
      return expect(typeof block.data === 'string', 'data', 'Expected string');
  }
}
