/**
 * TypeBox schemas for the bodies of `POST /v1/messages` and
 * `POST /v1/messages/count_tokens`.
 *
 * They check what the kernel and the codecs rely on (types of the known
 * fields, the shape of messages and blocks) and nothing more: unknown fields
 * pass, because clients such as Claude Code send fields newer than any
 * schema (`context_management`, `output_config`, new block and tool types)
 * and an Anthropic upstream must receive them unchanged.
 */
import { Compile, Type, type TLocalizedValidationError } from '../util/typebox.js';
import { formatPath } from '../util/validate.js';
import type { CountTokensRequest, MessagesRequest } from './types.js';

const CacheControl = Type.Object({ type: Type.String(), ttl: Type.Optional(Type.String()) });

/** Any block: only `type` is checked, so new block types pass through. */
const Block = Type.Object({ type: Type.String(), cache_control: Type.Optional(CacheControl) });

const Message = Type.Object({
  role: Type.Enum(['user', 'assistant', 'system']),
  content: Type.Union([Type.String(), Type.Array(Block)]),
});

const SystemBlock = Type.Object({ type: Type.String(), text: Type.String(), cache_control: Type.Optional(CacheControl) });

const Tool = Type.Object({
  name: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  input_schema: Type.Optional(Type.Object({})),
  type: Type.Optional(Type.String()),
  cache_control: Type.Optional(CacheControl),
});

const ToolChoice = Type.Object({
  type: Type.Enum(['auto', 'any', 'tool', 'none']),
  name: Type.Optional(Type.String()),
  disable_parallel_tool_use: Type.Optional(Type.Boolean()),
});

const MaxTokens = Type.Integer({ minimum: 1 });

const common = {
  model: Type.String({ minLength: 1 }),
  messages: Type.Array(Message),
  system: Type.Optional(Type.Union([Type.String(), Type.Array(SystemBlock)])),
  stream: Type.Optional(Type.Boolean()),
  tools: Type.Optional(Type.Array(Tool)),
  tool_choice: Type.Optional(ToolChoice),
  temperature: Type.Optional(Type.Number()),
  top_p: Type.Optional(Type.Number()),
  top_k: Type.Optional(Type.Integer()),
  stop_sequences: Type.Optional(Type.Array(Type.String())),
  // `type` stays open: Claude Code already sends `adaptive`, and newer modes will follow.
  thinking: Type.Optional(Type.Object({ type: Type.String(), budget_tokens: Type.Optional(Type.Integer({ minimum: 0 })) })),
  metadata: Type.Optional(Type.Object({ user_id: Type.Optional(Type.Union([Type.String(), Type.Null()])) })),
  context_management: Type.Optional(Type.Object({})),
  output_config: Type.Optional(Type.Object({})),
};

/** The body of `POST /v1/messages`. @public */
export const MessagesRequestSchema = Type.Object({ ...common, max_tokens: MaxTokens });

/** The body of `POST /v1/messages/count_tokens`. @public */
export const CountTokensRequestSchema = Type.Object({ ...common, max_tokens: Type.Optional(MaxTokens) });

/** @public */
export interface ValidationError {
  /** Where, e.g. `messages[2].content` or `max_tokens`; `(root)` for the body itself. */
  path: string;
  message: string;
}

/** @public */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: ValidationError[] };

// Compiled once: validation runs on every request.
const messagesValidator = Compile(MessagesRequestSchema);
const countTokensValidator = Compile(CountTokensRequestSchema);

/**
 * Check a `POST /v1/messages` body. The value is returned as is (not cloned
 * or defaulted): the schema only vouches for the fields it names.
 * @public
 */
export function validateMessagesRequest(body: unknown): ValidationResult<MessagesRequest> {
  return messagesValidator.Check(body)
    ? { ok: true, value: body as MessagesRequest }
    : { ok: false, errors: reduceErrors(messagesValidator.Errors(body)) };
}

/** Check a `POST /v1/messages/count_tokens` body. @public */
export function validateCountTokensRequest(body: unknown): ValidationResult<CountTokensRequest> {
  return countTokensValidator.Check(body)
    ? { ok: true, value: body as CountTokensRequest }
    : { ok: false, errors: reduceErrors(countTokensValidator.Errors(body)) };
}

const MAX_LISTED = 5;

/**
 * One line for an error message: `max_tokens: Expected integer; messages[1].role: ...`,
 * listing at most five errors.
 * @public
 */
export function formatValidationErrors(errors: readonly ValidationError[]): string {
  const listed = errors.slice(0, MAX_LISTED).map((e) => `${e.path}: ${e.message}`);
  if (errors.length > MAX_LISTED) listed.push(`and ${errors.length - MAX_LISTED} more`);
  return listed.join('; ');
}

/**
 * TypeBox reports a failed union as one error per branch plus the union's
 * own. A user wants either the deepest complaint (the branch that got
 * furthest, e.g. `messages[1].content[0].type`) or, when every branch failed
 * on the value itself, one "Expected string or array". TypeBox stops after
 * a few errors (`maxErrors`), which can cut a union's report short: branch
 * errors whose union error is missing are left out rather than misread.
 */
function reduceErrors(raw: TLocalizedValidationError[]): ValidationError[] {
  const inBranch = (e: TLocalizedValidationError, u: TLocalizedValidationError) =>
    e.schemaPath.startsWith(`${u.schemaPath}/anyOf/`) &&
    (e.instancePath === u.instancePath || e.instancePath.startsWith(`${u.instancePath}/`));
  const out: ValidationError[] = [];
  const seen = new Set<string>();
  const add = (pointer: string, message: string) => {
    const error = { path: formatPath(pointer), message };
    const key = `${error.path}\0${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(error);
    }
  };
  const report = (e: TLocalizedValidationError) => {
    if (e.keyword === 'required') {
      for (const key of e.params.requiredProperties) add(`${e.instancePath}/${key}`, 'Required');
    } else add(e.instancePath, describe(e));
  };
  for (const e of raw) {
    if (e.schemaPath.includes('/anyOf/')) continue;
    if (e.keyword !== 'anyOf') {
      report(e);
      continue;
    }
    const branches = raw.filter((b) => inBranch(b, e));
    const deeper = branches.filter((b) => b.instancePath.length > e.instancePath.length);
    if (deeper.length > 0) deeper.forEach(report);
    else {
      const types = branches.flatMap((b) => (b.keyword === 'type' ? [String(b.params.type)] : []));
      add(e.instancePath, types.length > 0 ? `Expected ${types.join(' or ')}` : 'Expected one of the allowed forms');
    }
  }
  return out;
}

function describe(e: TLocalizedValidationError): string {
  switch (e.keyword) {
    case 'type':
      return `Expected ${String(e.params.type)}`;
    case 'enum':
      return `Expected one of ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'minLength':
      return e.params.limit === 1 ? 'Expected a non-empty string' : `Expected at least ${e.params.limit} characters`;
    case 'minimum':
      return `Expected a number >= ${e.params.limit}`;
    default:
      return e.message.charAt(0).toUpperCase() + e.message.slice(1);
  }
}
