/**
 * The shape checks of both request bodies. They check what the codecs rely
 * on (types of the known fields) and nothing more: unknown fields pass, as
 * OpenAI adds parameters faster than any schema. OpenAI reports one error
 * at a time, naming the parameter in `param`; so does Lynkr.
 */
import { Compile, Type, type ChatRequest, type ResponsesRequest, type TLocalizedValidationError, type TSchema } from '../../kernel/index.js';
import { invalidParam } from './errors.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));
const AnyObject = Type.Object({});
/** At most 2^31 - 1, the largest value upstream APIs take: no model writes more. */
const Tokens = Nullable(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }));
const Effort = Nullable(Type.Enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']));

const ChatMessage = Type.Object({
  role: Type.Enum(['system', 'developer', 'user', 'assistant', 'tool']),
  // OpenAI refuses an empty array of parts; the codec would drop the message, and the upstream get none.
  content: Type.Optional(Type.Union([Type.String(), Type.Array(Type.Object({ type: Type.String() }), { minItems: 1 }), Type.Null()])),
  tool_calls: Nullable(
    Type.Array(Type.Object({ id: Type.String(), type: Type.Optional(Type.String()), function: Type.Object({ name: Type.String(), arguments: Type.Optional(Type.String()) }) })),
  ),
  tool_call_id: Type.Optional(Type.String()),
});

const FunctionSpec = Type.Object({ name: Type.String({ minLength: 1 }), description: Type.Optional(Type.String()), parameters: Type.Optional(AnyObject) });
const CustomSpec = Type.Object({ name: Type.String({ minLength: 1 }), description: Type.Optional(Type.String()), format: Type.Optional(AnyObject) });

/**
 * A function tool, or a free-form `custom` one (Copilot CLI's apply_patch,
 * with a grammar), which travels as a function of one string (see
 * custom-tools.ts in the chat codec). One object with both bodies optional,
 * rather than a union, so that an error names the missing field;
 * {@link checkTools} then requires the body that the type names.
 */
const ChatTool = Type.Object({
  type: Type.Enum(['function', 'custom']),
  function: Type.Optional(FunctionSpec),
  custom: Type.Optional(CustomSpec),
});

const ResponseFormat = Type.Object({
  type: Type.Enum(['text', 'json_object', 'json_schema']),
  json_schema: Type.Optional(Type.Object({ name: Type.String({ minLength: 1 }), schema: Type.Optional(AnyObject), strict: Nullable(Type.Boolean()) })),
});

const ChatSchema = Type.Object({
  model: Type.String({ minLength: 1 }),
  messages: Type.Array(ChatMessage, { minItems: 1 }),
  max_tokens: Tokens,
  max_completion_tokens: Tokens,
  n: Nullable(Type.Integer({ minimum: 1 })),
  temperature: Nullable(Type.Number({ minimum: 0, maximum: 2 })),
  top_p: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
  stop: Nullable(Type.Union([Type.String(), Type.Array(Type.String())])),
  stream: Nullable(Type.Boolean()),
  stream_options: Nullable(Type.Object({ include_usage: Type.Optional(Type.Boolean()) })),
  tools: Nullable(Type.Array(ChatTool)),
  tool_choice: Nullable(
    Type.Union([
      Type.Enum(['auto', 'none', 'required']),
      Type.Object({ type: Type.Literal('function'), function: Type.Object({ name: Type.String() }) }),
      Type.Object({ type: Type.Literal('custom'), custom: Type.Object({ name: Type.String() }) }),
    ]),
  ),
  parallel_tool_calls: Nullable(Type.Boolean()),
  response_format: Nullable(ResponseFormat),
  reasoning_effort: Effort,
  user: Nullable(Type.String()),
});

const TextFormat = Type.Object({
  type: Type.Enum(['text', 'json_object', 'json_schema']),
  name: Type.Optional(Type.String({ minLength: 1 })),
  schema: Type.Optional(AnyObject),
});

const ResponsesSchema = Type.Object({
  model: Type.String({ minLength: 1 }),
  // Items are checked by the codec as it reads them, which names the item at fault.
  input: Type.Optional(Type.Union([Type.String(), Type.Array(Type.Unknown())])),
  instructions: Nullable(Type.String()),
  tools: Nullable(Type.Array(Type.Object({ type: Type.String() }))),
  tool_choice: Nullable(Type.Union([Type.Enum(['auto', 'none', 'required']), Type.Object({ type: Type.String() })])),
  parallel_tool_calls: Nullable(Type.Boolean()),
  max_output_tokens: Tokens,
  temperature: Nullable(Type.Number({ minimum: 0, maximum: 2 })),
  top_p: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
  reasoning: Nullable(Type.Object({ effort: Effort, summary: Nullable(Type.String()) })),
  text: Nullable(Type.Object({ format: Type.Optional(TextFormat) })),
  store: Nullable(Type.Boolean()),
  stream: Nullable(Type.Boolean()),
  previous_response_id: Nullable(Type.String({ minLength: 1 })),
  include: Nullable(Type.Array(Type.String())),
  user: Nullable(Type.String()),
  metadata: Nullable(Type.Record(Type.String(), Type.String())),
  background: Nullable(Type.Boolean()),
});

// Compiled once: validation runs on every request.
const chatValidator = Compile(ChatSchema);
const responsesValidator = Compile(ResponsesSchema);

/** Responses parameters Lynkr does not implement: refused by name rather than ignored. */
const UNSUPPORTED_RESPONSES = ['conversation', 'prompt'] as const;

function checked<T>(body: unknown, validator: typeof chatValidator | typeof responsesValidator, needs: string): T {
  // Without a JSON content type fastify hands over no body (or a string): say what is wrong instead of "Expected object".
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidParam('', `The request body must be a JSON object with ${needs} (send content-type: application/json).`);
  }
  if (!validator.Check(body)) {
    const { param, message } = firstIssue(validator.Errors(body));
    throw invalidParam(param, message);
  }
  return body as T;
}

/** The body of `POST /v1/chat/completions`, checked; a 400 naming the first parameter at fault otherwise. */
export function parseChatRequest(body: unknown): ChatRequest {
  const req = checked<ChatRequest>(body, chatValidator, 'model and messages');
  checkTools(req.tools as Array<{ type: string; function?: unknown; custom?: unknown }> | null | undefined);
  return req;
}

/** Each tool carries the body its type names: `function` for a function tool, `custom` for a custom one. */
function checkTools(tools: Array<{ type: string; function?: unknown; custom?: unknown }> | null | undefined): void {
  tools?.forEach((tool, i) => {
    const key = tool.type === 'custom' ? 'custom' : 'function';
    if (tool[key] === undefined) throw invalidParam(`tools[${i}].${key}`, `Missing required parameter: 'tools[${i}].${key}'.`);
  });
}

/** The body of `POST /v1/responses`, checked; a 400 naming the first parameter at fault otherwise. */
export function parseResponsesRequest(body: unknown): ResponsesRequest {
  const req = checked<ResponsesRequest>(body, responsesValidator, 'model and input');
  for (const param of UNSUPPORTED_RESPONSES) {
    if (req[param] != null) throw invalidParam(param, `${param} is not supported by Lynkr: send the conversation as input items, or continue it with previous_response_id.`);
  }
  if (req.background === true) throw invalidParam('background', 'background responses are not supported by Lynkr: stream the response instead.');
  // Only a continuation has a conversation without input; any other request would reach the upstream with no message at all.
  if (!req.previous_response_id && (req.input == null || req.input.length === 0)) throw invalidParam('input', "Missing required parameter: 'input'.");
  return req;
}

/** `/messages/0/content` → `messages[0].content`. */
function paramOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
}

/**
 * The one error to report. TypeBox reports a failed union once per branch
 * and once as a whole: the branch that got furthest into the value says
 * the most, else the union lists what it would have taken.
 */
function firstIssue(errors: TLocalizedValidationError[]): { param: string; message: string } {
  for (const e of errors) {
    if (e.schemaPath.includes('/anyOf/')) continue;
    if (e.keyword !== 'anyOf') return issue(e);
    const branches = errors.filter((b) => b.schemaPath.startsWith(`${e.schemaPath}/anyOf/`));
    const deepest = branches.reduce<TLocalizedValidationError | undefined>((best, b) => (b.instancePath.length > (best?.instancePath.length ?? e.instancePath.length) ? b : best), undefined);
    if (deepest) return issue(deepest);
    const specific = branches.find((b) => b.keyword !== 'type' && b.keyword !== 'anyOf' && b.instancePath === e.instancePath);
    if (specific) return issue(specific);
    const types = branches.flatMap((b) => (b.keyword === 'type' ? [String(b.params.type)] : []));
    const param = paramOf(e.instancePath);
    return { param, message: `Invalid type for '${param}': expected ${types.join(' or ') || 'another form'}.` };
  }
  return { param: '', message: 'The request body is not valid.' };
}

function issue(e: TLocalizedValidationError): { param: string; message: string } {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') {
    const param = paramOf(`${e.instancePath}/${(p.requiredProperties as string[])[0]}`);
    return { param, message: `Missing required parameter: '${param}'.` };
  }
  const param = paramOf(e.instancePath);
  switch (e.keyword) {
    case 'type':
      return { param, message: `Invalid type for '${param}': expected ${String(p.type)}.` };
    case 'enum':
      return { param, message: `Invalid value for '${param}': expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.` };
    case 'const':
      return { param, message: `Invalid value for '${param}': expected ${JSON.stringify(p.allowedValue)}.` };
    case 'maximum':
      return { param, message: `Invalid '${param}': expected at most ${String(p.limit)}.` };
    case 'minItems':
      return { param, message: `Invalid '${param}': expected at least ${String(p.limit)} item(s).` };
    case 'minLength':
      return { param, message: `Invalid '${param}': expected a non-empty string.` };
    default:
      return { param, message: `Invalid '${param}': ${e.message}.` };
  }
}
