/**
 * Malformed requests for each front door, as fast-check arbitraries. Each
 * case starts from a valid request and breaks it in exactly one way that the
 * door's API documents as an error (or that Lynkr's own limits refuse), so
 * every case must get a 4xx and reach no provider.
 */
import fc from 'fast-check';

/** An endpoint and the error shape its clients read. */
export interface Door {
  name: 'messages' | 'count_tokens' | 'chat' | 'responses';
  url: string;
  format: 'anthropic' | 'openai';
}

export const DOORS: Record<Door['name'], Door> = {
  messages: { name: 'messages', url: '/v1/messages', format: 'anthropic' },
  count_tokens: { name: 'count_tokens', url: '/v1/messages/count_tokens', format: 'anthropic' },
  chat: { name: 'chat', url: '/v1/chat/completions', format: 'openai' },
  responses: { name: 'responses', url: '/v1/responses', format: 'openai' },
};

/** One request to send. */
export interface Case {
  door: Door;
  /** The mutation, for the report. */
  kind: string;
  /** The body as sent; undefined sends none. */
  body: string | Buffer | undefined;
  /** The content-type header; undefined sends none. */
  contentType: string | undefined;
  /** The exact status expected (413), else any 4xx. */
  status?: number;
}

type Json = Record<string, unknown>;

/** The body limit the fuzzed kernels run with: small, so that oversized cases stay cheap. */
export const BODY_LIMIT = 256 * 1024;
/** Lynkr refuses JSON nested deeper than this (kernel/http/json-body.ts). */
export const MAX_DEPTH = 256;

const JSON_TYPE = 'application/json';

// ---- building blocks ----------------------------------------------------------------------------

const text = fc.string({ maxLength: 40 });
const model = fc.string({ minLength: 1, maxLength: 30 });

/** Anything but a string. */
const notString = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 3 }), fc.dictionary(text, text, { maxKeys: 3 }));
/** Anything but a boolean. */
const notBoolean = fc.oneof(fc.integer(), fc.constantFrom('true', 'false', 'yes', ''), fc.constant(null), fc.constant([]), fc.constant({}));
/** Anything but a number. */
const notNumber = fc.oneof(fc.constantFrom('1', 'hot', '', 'NaN'), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
/** Anything but an array. */
const notArray = fc.oneof(fc.integer(), text, fc.boolean(), fc.constant(null), fc.dictionary(text, text, { maxKeys: 3 }));
/** Anything but an object. */
const notObject = fc.oneof(fc.integer(), text, fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 3 }));

/**
 * Output limits no model takes: below 1, fractional, too large for any
 * model (Lynkr refuses more than 2^31 - 1), or not a number at all. `null`
 * only where the API does not allow it.
 */
const absurdTokens = (nullable: boolean) =>
  fc.oneof(
    fc.integer({ min: -1_000_000_000, max: 0 }),
    fc.constantFrom(-1e12, 1e12, 2 ** 31, 2 ** 53, 1e21, 1e300, 0.5, 1.5, 4096.25),
    fc.integer({ min: 2 ** 31, max: Number.MAX_SAFE_INTEGER }),
    fc.constantFrom('100', '1e12', '', 'many', true, false, [], {}, [1024], { value: 1024 }),
    ...(nullable ? [] : [fc.constant(null)]),
  );

/** Role names the door does not know. */
const unknownRole = (known: readonly string[]) =>
  fc.oneof(fc.constantFrom('tool', 'function', 'developer', 'model', 'bot', 'User', 'ASSISTANT', '', ' user'), fc.string({ maxLength: 12 })).filter((r) => !known.includes(r));

/** Something nested `depth` levels deep. */
function deep(depth: number, shape: 'array' | 'object' | 'mixed'): string {
  const open = shape === 'array' ? '[' : shape === 'object' ? '{"a":' : '[{"a":';
  const close = shape === 'array' ? ']' : shape === 'object' ? '}' : '}]';
  const levels = shape === 'mixed' ? Math.ceil(depth / 2) : depth;
  return open.repeat(levels) + (shape === 'array' ? '' : '1') + close.repeat(levels);
}

const deepValue = fc.record({ depth: fc.oneof(fc.integer({ min: MAX_DEPTH + 1, max: MAX_DEPTH + 50 }), fc.integer({ min: 1000, max: 20_000 })), shape: fc.constantFrom('array', 'object', 'mixed') as fc.Arbitrary<'array' | 'object' | 'mixed'> });

/** A marker replaced in the serialized body by raw text (a number JSON.stringify cannot write, a deep value) or bytes. */
const MARK = '\u0001LYNKR-FUZZ-MARK\u0001';
const MARK_JSON = JSON.stringify(MARK);

/** The body with the marker (a JSON string) replaced by `raw` JSON text. */
const withRaw = (body: Json, raw: string): string => JSON.stringify(body).replace(MARK_JSON, raw);

/** Byte sequences that are not UTF-8. */
const INVALID_UTF8: readonly number[][] = [
  [0xff],
  [0xfe, 0xff],
  [0x80],
  [0xc3], // a two-byte lead without its continuation
  [0xe2, 0x82], // three-byte sequence cut short
  [0xc0, 0xaf], // overlong '/'
  [0xed, 0xa0, 0x80], // an encoded UTF-16 surrogate
  [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
  [0xf8, 0x88, 0x80, 0x80, 0x80], // five-byte form
];

const clone = (body: Json): Json => structuredClone(body);

/** Set `path` (keys and indexes) in a copy of `body`. */
function setIn(body: Json, path: ReadonlyArray<string | number>, value: unknown): Json {
  const out = clone(body);
  let at: Record<string | number, unknown> = out;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1)!] = value;
  return out;
}

function without(body: Json, key: string): Json {
  const out = clone(body);
  delete out[key];
  return out;
}

// ---- valid requests, the starting points ---------------------------------------------------------

const anthropicMessage = fc.record({
  role: fc.constantFrom('user', 'assistant'),
  content: fc.oneof(text, fc.array(fc.record({ type: fc.constant('text'), text }), { minLength: 1, maxLength: 2 })),
});

const messagesBase: fc.Arbitrary<Json> = fc.record(
  {
    model,
    max_tokens: fc.integer({ min: 1, max: 8192 }),
    messages: fc.array(anthropicMessage, { minLength: 1, maxLength: 3 }),
    stream: fc.boolean(),
    system: text,
    temperature: fc.double({ min: 0, max: 1, noNaN: true }),
  },
  { requiredKeys: ['model', 'max_tokens', 'messages'] },
);

const countTokensBase: fc.Arbitrary<Json> = messagesBase.map((b) => without(without(b, 'max_tokens'), 'stream'));

const chatBase: fc.Arbitrary<Json> = fc.record(
  {
    model,
    messages: fc.array(fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: text }), { minLength: 1, maxLength: 3 }),
    max_tokens: fc.integer({ min: 1, max: 8192 }),
    stream: fc.boolean(),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
  },
  { requiredKeys: ['model', 'messages'] },
);

const responsesBase: fc.Arbitrary<Json> = fc.record(
  {
    model,
    input: fc.oneof(
      text.filter((t) => t !== ''),
      fc.array(fc.record({ role: fc.constant('user'), content: fc.oneof(text, fc.array(fc.record({ type: fc.constant('input_text'), text }), { minLength: 1, maxLength: 2 })) }), { minLength: 1, maxLength: 3 }),
    ),
    max_output_tokens: fc.integer({ min: 1, max: 8192 }),
    stream: fc.boolean(),
    store: fc.boolean(),
  },
  { requiredKeys: ['model', 'input'] },
);

// ---- what each door knows ------------------------------------------------------------------------

interface Spec {
  base: fc.Arbitrary<Json>;
  required: string[];
  /** Wrong values for known fields. */
  fields: Record<string, fc.Arbitrary<unknown>>;
  /** The array of messages or input items, and a valid element of it. */
  list: { key: string; valid: Json };
  roles: readonly string[];
  /** An element of the list that the door refuses. */
  badElement: fc.Arbitrary<unknown>;
  /** Where nesting can hide: a path and whether the value there is an object or anything. */
  deepAt: ReadonlyArray<{ at: (body: Json, mark: string) => Json }>;
}

const anthropicBlocks = fc.oneof(
  fc.constant({}),
  fc.record({ type: notString }),
  fc.constantFrom(5, 'text', null, [], true),
  fc.constant({ type: 'text' }),
  notString.map((t) => ({ type: 'text', text: t })),
  fc.constant({ type: 'text', text: 'x', cache_control: 'ephemeral' }),
  fc.constant({ type: 'image' }),
  notObject.map((source) => ({ type: 'image', source })),
  fc.constant({ type: 'image', source: { data: 'aGk=' } }),
  notString.map((data) => ({ type: 'image', source: { type: 'base64', media_type: 'image/png', data } })),
  notString.map((url) => ({ type: 'document', source: { type: 'url', url } })),
  notObject.map((source) => ({ type: 'document', source })),
  notString.map((id) => ({ type: 'tool_use', id, name: 'n', input: {} })),
  notString.map((name) => ({ type: 'tool_use', id: 't', name, input: {} })),
  notObject.map((input) => ({ type: 'tool_use', id: 't', name: 'n', input })),
  fc.constant({ type: 'tool_result', content: 'x' }),
  fc.oneof(fc.integer(), fc.boolean(), fc.dictionary(text, text, { minKeys: 1, maxKeys: 2 })).map((content) => ({ type: 'tool_result', tool_use_id: 't', content })),
  fc.constant({ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 5 }] }),
  fc.constant({ type: 'tool_result', tool_use_id: 't', content: [5] }),
  notString.map((thinking) => ({ type: 'thinking', thinking, signature: 's' })),
  notString.map((data) => ({ type: 'redacted_thinking', data })),
);

const anthropicBadMessage = fc.oneof(
  fc.constantFrom(5, 'hello', null, true, []),
  fc.constant({ role: 'user' }),
  fc.constant({ content: 'hi' }),
  fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.dictionary(text, text, { maxKeys: 2 })).map((content) => ({ role: 'user', content })),
  unknownRole(['user', 'assistant', 'system']).map((role) => ({ role, content: 'hi' })),
  anthropicBlocks.map((block) => ({ role: 'user', content: [block] })),
);

const messagesSpec = (maxTokensRequired: boolean): Spec => ({
  base: maxTokensRequired ? messagesBase : countTokensBase,
  required: maxTokensRequired ? ['model', 'max_tokens', 'messages'] : ['model', 'messages'],
  fields: {
    model: fc.oneof(notString, fc.constant('')),
    max_tokens: absurdTokens(false),
    messages: notArray,
    system: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant({}), fc.constant([5]), fc.constant([{ type: 'text', text: 5 }]), fc.constant([{ type: 'text' }])),
    stream: notBoolean,
    tools: fc.oneof(notArray, fc.constant([{}]), fc.constant([{ name: '' }]), notString.map((name) => [{ name }]), fc.constant([5])),
    tool_choice: fc.oneof(fc.constantFrom('auto', 'any', 5, null), fc.constant({ type: 'sometimes' }), fc.constant({})),
    temperature: notNumber,
    top_p: notNumber,
    top_k: fc.oneof(notNumber, fc.constant(1.5)),
    stop_sequences: fc.oneof(fc.constant('stop'), fc.constant([5]), fc.constant([null])),
    metadata: fc.oneof(fc.constant('x'), fc.constant(5), notString.filter((v) => v !== null).map((user_id) => ({ user_id }))),
    thinking: fc.oneof(fc.constant('on'), fc.constant({}), fc.constant({ type: 5 }), fc.constant({ type: 'enabled', budget_tokens: -1 }), fc.constant({ type: 'enabled', budget_tokens: 'lots' })),
  },
  list: { key: 'messages', valid: { role: 'user', content: 'hi' } },
  roles: ['user', 'assistant', 'system'],
  badElement: anthropicBadMessage,
  deepAt: [
    { at: (b, m) => ({ ...b, x_extra: m }) },
    { at: (b, m) => ({ ...b, metadata: { user_id: 'u', extra: m } }) },
    { at: (b, m) => ({ ...b, tools: [{ name: 't', input_schema: { type: 'object', properties: { a: m } } }] }) },
    { at: (b, m) => ({ ...b, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'n', input: { a: m } }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] }] }) },
    { at: (b, m) => ({ ...b, messages: [{ role: 'user', content: m }] }) },
  ],
});

const chatParts = fc.oneof(
  fc.constant({}),
  fc.constant({ type: 'text' }),
  notString.map((t) => ({ type: 'text', text: t })),
  fc.constant({ type: 'image_url' }),
  notString.filter((u) => u !== null).map((url) => ({ type: 'image_url', image_url: { url } })),
  fc.constantFrom('bogus', 'input_text', 'tool_result').map((type) => ({ type, text: 'x' })),
  fc.constantFrom(5, null, 'text'),
);

const chatBadMessage = fc.oneof(
  fc.constantFrom(5, 'hello', null, true, []),
  fc.constant({ role: 'user' }),
  fc.constant({ role: 'user', content: null }),
  fc.constant({ content: 'hi' }),
  fc.constant({ role: 'tool', content: 'x' }),
  fc.oneof(fc.integer(), fc.boolean(), fc.dictionary(text, text, { maxKeys: 2 })).map((content) => ({ role: 'user', content })),
  unknownRole(['system', 'developer', 'user', 'assistant', 'tool']).map((role) => ({ role, content: 'hi' })),
  chatParts.map((part) => ({ role: 'user', content: [part] })),
  fc.constant({ role: 'user', content: [] }),
  fc.constant({ role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'http://x/y.png' } }] }),
  fc.constant({ role: 'assistant', tool_calls: [{ id: 5, type: 'function', function: { name: 'f', arguments: '{}' } }] }),
  fc.constant({ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: { a: 1 } } }] }),
);

const chatSpec: Spec = {
  base: chatBase,
  required: ['model', 'messages'],
  fields: {
    model: fc.oneof(notString, fc.constant('')),
    messages: fc.oneof(notArray, fc.constant([])),
    max_tokens: absurdTokens(true),
    max_completion_tokens: absurdTokens(true),
    n: fc.oneof(fc.constantFrom(0, -1, 1.5, 'two', 2, 8)),
    temperature: fc.oneof(fc.constantFrom('hot', true, [], -0.5, 2.5, 1e9)),
    top_p: fc.constantFrom('x', -0.1, 1.5),
    stop: fc.oneof(fc.constant(5), fc.constant([5]), fc.constant({})),
    stream: notBoolean.filter((v) => v !== null),
    stream_options: fc.oneof(fc.constant('x'), fc.constant({ include_usage: 'yes' })),
    tools: fc.oneof(notArray.filter((v) => v !== null), fc.constant([{}]), fc.constant([{ type: 'function' }]), fc.constant([{ type: 'function', function: { name: '' } }]), fc.constant([{ type: 'bogus' }]), fc.constant([5])),
    tool_choice: fc.oneof(fc.constantFrom('sometimes', 5, true), fc.constant({ type: 'function' }), fc.constant({ type: 'bogus' })),
    parallel_tool_calls: fc.constantFrom('yes', 1),
    response_format: fc.oneof(fc.constant('json'), fc.constant({ type: 'xml' }), fc.constant({ type: 'json_schema', json_schema: { name: '' } })),
    reasoning_effort: fc.constantFrom('extreme', 5, true),
    user: fc.constantFrom(5, true, {}),
  },
  list: { key: 'messages', valid: { role: 'user', content: 'hi' } },
  roles: ['system', 'developer', 'user', 'assistant', 'tool'],
  badElement: chatBadMessage,
  deepAt: [
    { at: (b, m) => ({ ...b, x_extra: m }) },
    { at: (b, m) => ({ ...b, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: m } } } }] }) },
    { at: (b, m) => ({ ...b, response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object', properties: { a: m } } } } }) },
    { at: (b, m) => ({ ...b, messages: [{ role: 'user', content: m }] }) },
  ],
};

const responsesParts = fc.oneof(
  fc.constant({ type: 'input_text' }),
  notString.map((t) => ({ type: 'input_text', text: t })),
  notString.map((t) => ({ type: 'output_text', text: t })),
  fc.constant({ type: 'input_image' }),
  fc.constant({ type: 'input_image', file_id: 'file_1' }),
  fc.constant({ type: 'input_file' }),
  fc.constantFrom('bogus', 'text', 'image_url').map((type) => ({ type, text: 'x' })),
  fc.constantFrom(5, null, 'input_text'),
);

const responsesBadItem = fc.oneof(
  fc.constantFrom(5, 'hello', null, true, []),
  unknownRole(['user', 'assistant', 'system', 'developer']).map((role) => ({ role, content: 'hi' })),
  fc.oneof(fc.integer(), fc.boolean(), fc.dictionary(text, text, { maxKeys: 2 })).map((content) => ({ role: 'user', content })),
  responsesParts.map((part) => ({ type: 'message', role: 'user', content: [part] })),
  fc.constant({ type: 'bogus_item' }),
  fc.constant({ type: 'item_reference', id: 'msg_1' }),
  fc.constant({ type: 'function_call', name: 'f', arguments: '{}' }),
  notString.filter((v) => v !== null).map((args) => ({ type: 'function_call', call_id: 'c', name: 'f', arguments: args })),
  fc.constant({ type: 'function_call_output', call_id: 5, output: 'x' }),
  fc.oneof(fc.integer(), fc.boolean(), fc.dictionary(text, text, { minKeys: 1, maxKeys: 2 })).map((output) => ({ type: 'function_call_output', call_id: 'c', output })),
);

const responsesSpec: Spec = {
  base: responsesBase,
  required: ['model', 'input'],
  fields: {
    model: fc.oneof(notString, fc.constant('')),
    input: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant({}), fc.constant(''), fc.constant([])),
    instructions: fc.constantFrom(5, true, [], {}),
    tools: fc.oneof(fc.constant('x'), fc.constant([5]), fc.constant([{}]), fc.constant([{ type: 'function' }])),
    tool_choice: fc.oneof(fc.constantFrom('sometimes', 5, true)),
    max_output_tokens: absurdTokens(true),
    temperature: fc.constantFrom('hot', -1, 3),
    top_p: fc.constantFrom('x', 2),
    reasoning: fc.oneof(fc.constant('high'), fc.constant({ effort: 'extreme' })),
    text: fc.oneof(fc.constant('x'), fc.constant({ format: { type: 'xml' } })),
    store: fc.constantFrom('yes', 1),
    stream: fc.constantFrom('yes', 1),
    previous_response_id: fc.oneof(fc.constant(''), fc.constant(5), fc.constant('resp_never_stored')),
    include: fc.oneof(fc.constant('x'), fc.constant([5])),
    metadata: fc.constant({ a: 5 }),
    background: fc.constant(true),
    conversation: fc.constant('conv_1'),
    prompt: fc.constant({ id: 'pmpt_1' }),
  },
  list: { key: 'input', valid: { role: 'user', content: 'hi' } },
  roles: ['user', 'assistant', 'system', 'developer'],
  badElement: responsesBadItem,
  deepAt: [
    { at: (b, m) => ({ ...b, x_extra: m }) },
    { at: (b, m) => ({ ...b, tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: { a: m } } }] }) },
    { at: (b, m) => ({ ...b, text: { format: { type: 'json_schema', name: 's', schema: { type: 'object', properties: { a: m } } } } }) },
    { at: (b, m) => ({ ...b, input: [{ role: 'user', content: [{ type: 'input_text', text: 'x' }] }, { type: 'function_call_output', call_id: 'c', output: m }] }) },
  ],
};

const SPECS: Record<Door['name'], Spec> = {
  messages: messagesSpec(true),
  count_tokens: messagesSpec(false),
  chat: chatSpec,
  responses: responsesSpec,
};

// ---- the mutations -------------------------------------------------------------------------------

/** Every way of breaking a request of `door`, each a weighted arbitrary of cases. */
export function malformed(door: Door): fc.Arbitrary<Case> {
  const spec = SPECS[door.name];
  const json = (kind: string, body: Json | string, extra: Partial<Case> = {}): Case => ({
    door,
    kind,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    contentType: JSON_TYPE,
    ...extra,
  });
  const from = <T>(arb: fc.Arbitrary<T>, make: (base: Json, value: T) => Case) => fc.tuple(spec.base, arb).map(([base, value]) => make(base, value));

  const notJson = from(
    fc.oneof(
      fc.constantFrom('{', '}', '{"model":', 'nul', 'undefined', 'NaN', "{'model':'m'}", '{"a":1,}', '[1,2', '{"a" 1}', '\u0000', '{"model":"m"}}', '{"a":"\\x41"}', '{"a":01}', '{"a":.5}'),
      fc.string({ minLength: 1, maxLength: 60 }).filter((s) => !isJson(s)),
    ),
    (_base, s) => json('not JSON', s),
  );
  const truncated = from(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (base, at) => {
    const full = JSON.stringify(base);
    return json('truncated JSON', full.slice(0, Math.max(1, Math.floor(full.length * at))));
  });
  const trailing = from(fc.constantFrom('}', ',', ' x', '{}', ']'), (base, tail) => json('trailing garbage', JSON.stringify(base) + tail));
  const topLevel = from(fc.oneof(fc.array(text, { maxLength: 3 }), text, fc.integer(), fc.boolean(), fc.constant(null)), (base, value) =>
    json('not an object', JSON.stringify(Array.isArray(value) && value.length === 0 ? [base] : value)),
  );
  const empty = from(fc.constantFrom<Array<[string | undefined, string | undefined]>>(['', JSON_TYPE], [undefined, JSON_TYPE], [undefined, undefined], ['', undefined]), (_base, [body, type]) => ({
    door,
    kind: 'empty body',
    body,
    contentType: type,
  }));
  const contentType = from(
    fc.constantFrom<Array<string | undefined>>('text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/jsonx', 'text/json', undefined),
    (base, type) => ({ door, kind: 'wrong content-type', body: JSON.stringify(base), contentType: type }),
  );
  const invalidUtf8 = from(fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.constantFrom('model', 'message')), (base, [bytes, where]) => {
    const marked = where === 'model' ? { ...base, model: `m${MARK}` } : setIn(base, [spec.list.key], [{ role: 'user', content: `hi ${MARK}` }]);
    const [head, tail] = JSON.stringify(marked).split(MARK_JSON.slice(1, -1));
    return { door, kind: 'invalid UTF-8', body: Buffer.concat([Buffer.from(head!), Buffer.from(bytes), Buffer.from(tail!)]), contentType: JSON_TYPE };
  });
  const tooLarge = from(fc.tuple(fc.integer({ min: 1, max: 64 * 1024 }), fc.boolean()), (base, [over, inMessage]) => {
    const pad = 'x'.repeat(BODY_LIMIT + over);
    const body = inMessage ? setIn(base, [spec.list.key], [{ role: 'user', content: pad }]) : { ...base, x_padding: pad };
    return json('over the body limit', body, { status: 413 });
  });
  const missing = from(fc.constantFrom(...spec.required), (base, key) => json(`missing ${key}`, without(base, key)));
  const wrongType = from(
    fc.oneof(...Object.entries(spec.fields).map(([key, arb]) => fc.tuple(fc.constant(key), arb))),
    (base, [key, value]) => json(`wrong ${key}`, { ...base, [key]: value }),
  );
  const rawNumbers = from(fc.tuple(fc.constantFrom(...Object.keys(spec.fields).filter((k) => /tokens$/.test(k))), fc.constantFrom('1e400', '-1e400', '1e12', '99999999999999999999999999')), (base, [key, raw]) =>
    json(`absurd ${key}`, withRaw({ ...base, [key]: MARK }, raw)),
  );
  const badElement = from(fc.tuple(spec.badElement, fc.nat(3)), (base, [bad, at]) => {
    const list = Array.isArray(base[spec.list.key]) ? [...(base[spec.list.key] as unknown[])] : [spec.list.valid];
    list.splice(Math.min(at, list.length), 0, bad);
    return json(`bad ${spec.list.key} element`, { ...base, [spec.list.key]: list });
  });
  const hugeArray = from(fc.tuple(fc.integer({ min: 1000, max: 5000 }), fc.nat(), spec.badElement), (base, [n, at, bad]) => {
    const list: unknown[] = Array.from({ length: n }, () => spec.list.valid);
    list[at % n] = bad;
    return json(`huge ${spec.list.key} array`, { ...base, [spec.list.key]: list });
  });
  const hugeField = from(fc.tuple(fc.constantFrom('role', 'model', 'tokens'), fc.integer({ min: 20_000, max: 150_000 })), (base, [what, size]) => {
    if (what === 'role') return json('oversized unknown role', setIn(base, [spec.list.key], [{ role: 'r'.repeat(size), content: 'hi' }]));
    if (what === 'model') return json('oversized model of the wrong type', { ...base, model: Array.from({ length: Math.floor(size / 4) }, () => 'm') });
    const key = Object.keys(spec.fields).find((k) => /tokens$/.test(k)) ?? 'model';
    return json(`oversized ${key}`, { ...base, [key]: '9'.repeat(size) });
  });
  const deepNesting = from(fc.tuple(deepValue, fc.constantFrom(...spec.deepAt)), (base, [{ depth, shape }, where]) =>
    json('deep nesting', withRaw(where.at(base, MARK), deep(depth, shape))),
  );

  return fc.oneof(
    { arbitrary: notJson, weight: 3 },
    { arbitrary: truncated, weight: 3 },
    { arbitrary: trailing, weight: 1 },
    { arbitrary: topLevel, weight: 2 },
    { arbitrary: empty, weight: 1 },
    { arbitrary: contentType, weight: 2 },
    { arbitrary: invalidUtf8, weight: 2 },
    { arbitrary: tooLarge, weight: 1 },
    { arbitrary: missing, weight: 2 },
    { arbitrary: wrongType, weight: 8 },
    { arbitrary: rawNumbers, weight: 1 },
    { arbitrary: badElement, weight: 8 },
    { arbitrary: hugeArray, weight: 1 },
    { arbitrary: hugeField, weight: 1 },
    { arbitrary: deepNesting, weight: 2 },
  );
}

/** A valid request per door, to check the server still answers after the run. */
export const VALID: Record<Door['name'], Json> = {
  messages: { model: 'm', max_tokens: 16, messages: [{ role: 'user', content: 'still there?' }] },
  count_tokens: { model: 'm', messages: [{ role: 'user', content: 'still there?' }] },
  chat: { model: 'm', messages: [{ role: 'user', content: 'still there?' }] },
  responses: { model: 'm', input: 'still there?' },
};

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
