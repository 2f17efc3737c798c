import {
  formatValidationErrors,
  LynkrError,
  validateCountTokensRequest,
  validateMessagesRequest,
  type ValidationResult,
} from '../../kernel/index.js';

function parse<T>(body: unknown, validate: (body: unknown) => ValidationResult<T>, expected: string): T {
  // Without a JSON content type fastify hands over no body (or a string): say what is wrong instead of "(root): Expected object".
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new LynkrError('LYNKR_ERR_REQUEST_INVALID', `the request body must be a JSON object with ${expected} (send content-type: application/json)`);
  }
  const result = validate(body);
  if (!result.ok) throw new LynkrError('LYNKR_ERR_REQUEST_INVALID', formatValidationErrors(result.errors));
  return result.value;
}

/** The body of `POST /v1/messages`, checked; a LynkrError (400) naming the fields otherwise. */
export const parseMessagesRequest = (body: unknown) => parse(body, validateMessagesRequest, 'model, max_tokens and messages');

/** The body of `POST /v1/messages/count_tokens`, checked; a LynkrError (400) naming the fields otherwise. */
export const parseCountTokensRequest = (body: unknown) => parse(body, validateCountTokensRequest, 'model and messages');
