/**
 * Tool input schemas (JSON Schema, as Claude Code and MCP servers write
 * them) in the dialect Gemini's `functionDeclarations[].parameters` takes: an
 * OpenAPI 3.0 subset that answers 400 to any keyword it does not know, and to
 * a few shapes it does know (an OBJECT with empty `properties`, an ARRAY
 * without `items`, a list of types).
 *
 * Kept: `type`, `title`, `description`, `nullable`, `properties`,
 * `required` (only names that are in `properties`), `items`, `minItems`,
 * `maxItems`, `minProperties`, `maxProperties`, `minLength`, `maxLength`,
 * `pattern`, `minimum`, `maximum`, `anyOf`, `propertyOrdering`; `enum` when
 * every value is a string; `format` only where Gemini has it (`enum`,
 * `date-time` on strings, `float`/`double` on numbers, `int32`/`int64` on
 * integers).
 *
 * Converted: `type: ["x", "null"]` → `type: "x"` + `nullable: true` (several
 * types → `anyOf`); `const: "x"` → `enum: ["x"]`; `oneOf` → `anyOf`; `allOf`
 * merged into its parent; a local `$ref` (`#/$defs/...`, `#/definitions/...`)
 * inlined, a recursive one replaced by a bare `{type: "object"}`; an array
 * without `items` gets `items: {type: "string"}`.
 *
 * Dropped: every other keyword, among them `additionalProperties`,
 * `patternProperties`, `$schema`, `$id`, `$ref` to anything not local,
 * `$defs`, `definitions`, `default`, `examples`, `example`, `const` that is
 * not a string, `not`, `if`/`then`/`else`, `exclusiveMinimum`,
 * `exclusiveMaximum`, `multipleOf`, `uniqueItems`, `readOnly`, `writeOnly`,
 * `deprecated` and `$comment`.
 */
import type { GeminiSchema } from './types.js';

type Json = Record<string, unknown>;

/** Keywords copied as they are when their value is of the right kind. */
const SCALARS = new Set([
  'title',
  'description',
  'nullable',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'propertyOrdering',
]);

const FORMATS: Record<string, ReadonlySet<string>> = {
  string: new Set(['enum', 'date-time']),
  number: new Set(['float', 'double']),
  integer: new Set(['int32', 'int64']),
};

/** Deeper than any hand-written schema: a guard against pathological input, not a limit anyone meets. */
const MAX_DEPTH = 32;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A tool's `input_schema` as Gemini `parameters`, or undefined when the tool
 * takes no parameters: Gemini refuses `{type: "object", properties: {}}`, and
 * a declaration without `parameters` is how it spells "no arguments".
 */
export function toGeminiParameters(inputSchema: Record<string, unknown> | undefined): GeminiSchema | undefined {
  if (!isObject(inputSchema)) return undefined;
  const defs = { ...(isObject(inputSchema.definitions) ? inputSchema.definitions : {}), ...(isObject(inputSchema.$defs) ? inputSchema.$defs : {}) };
  const schema = new Cleaner(defs).clean(inputSchema, 0, []);
  // The root is always an object: some clients leave its `type` out.
  if (schema.type === undefined && isObject(schema.properties)) schema.type = 'object';
  return isObject(schema.properties) ? schema : undefined;
}

class Cleaner {
  readonly #defs: Json;

  constructor(defs: Json) {
    this.#defs = defs;
  }

  /** `refs`: the `$ref`s being inlined on the way down, to stop at a cycle. */
  clean(input: Json, depth: number, refs: readonly string[]): Json {
    if (depth > MAX_DEPTH) return { type: 'object' };
    const source = this.#resolve(input, refs);
    if (!source) return { type: 'object' };
    const seen = typeof input.$ref === 'string' ? [...refs, input.$ref] : refs;
    const merged = mergeAllOf(source, (s) => this.#resolve(s, seen) ?? {});
    const out: Json = {};

    this.#type(merged, out, depth, seen);
    for (const key of SCALARS) if (merged[key] !== undefined && key !== 'nullable') copyScalar(key, merged[key], out);
    if (merged.nullable === true) out.nullable = true;

    const values = Array.isArray(merged.enum) ? merged.enum : typeof merged.const === 'string' ? [merged.const] : undefined;
    if (values && values.length > 0 && values.every((v) => typeof v === 'string')) out.enum = values;
    if (typeof merged.format === 'string' && typeof out.type === 'string' && FORMATS[out.type]?.has(merged.format)) out.format = merged.format;

    if (isObject(merged.properties)) {
      const properties: Json = {};
      for (const [name, value] of Object.entries(merged.properties)) {
        if (isObject(value)) properties[name] = this.clean(value, depth + 1, seen);
      }
      if (Object.keys(properties).length > 0) {
        out.properties = properties;
        const required = Array.isArray(merged.required) ? merged.required.filter((r): r is string => typeof r === 'string' && r in properties) : [];
        if (required.length > 0) out.required = [...new Set(required)];
      }
    }
    if (out.type === 'array') {
      // A tuple (`items: [...]`) becomes its first member's schema: Gemini has no tuples.
      const items = Array.isArray(merged.items) ? merged.items[0] : merged.items;
      out.items = isObject(items) ? this.clean(items, depth + 1, seen) : { type: 'string' };
    }
    const alternatives = Array.isArray(merged.anyOf) ? merged.anyOf : Array.isArray(merged.oneOf) ? merged.oneOf : undefined;
    if (alternatives) {
      const cleaned = alternatives.filter(isObject).filter((s) => s.type !== 'null').map((s) => this.clean(s, depth + 1, seen));
      if (alternatives.some((s) => isObject(s) && s.type === 'null')) out.nullable = true;
      if (cleaned.length === 1) Object.assign(out, { ...cleaned[0], ...out });
      else if (cleaned.length > 1) out.anyOf = cleaned;
    }
    return out;
  }

  /** `type`, with a list of types split into `nullable` and `anyOf`. */
  #type(merged: Json, out: Json, depth: number, refs: readonly string[]): void {
    const { type } = merged;
    if (typeof type === 'string') {
      if (type !== 'null') out.type = type;
      else out.nullable = true;
      return;
    }
    if (!Array.isArray(type)) return;
    const types = type.filter((t): t is string => typeof t === 'string');
    const concrete = types.filter((t) => t !== 'null');
    if (concrete.length < types.length) out.nullable = true;
    if (concrete.length === 1) out.type = concrete[0];
    else if (concrete.length > 1) out.anyOf = concrete.map((t) => this.clean({ ...merged, type: t, anyOf: undefined, oneOf: undefined }, depth + 1, refs));
  }

  /** The schema a local `$ref` points to, merged with its siblings; undefined at a cycle or a ref that cannot be followed. */
  #resolve(schema: Json, refs: readonly string[]): Json | undefined {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return schema;
    if (refs.includes(ref)) return undefined;
    const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
    const target = match ? this.#defs[decodePointer(match[1] as string)] : undefined;
    if (!isObject(target)) return undefined;
    const { $ref: _ref, ...siblings } = schema;
    return { ...target, ...siblings };
  }
}

/** `allOf` members folded into their parent: properties and required lists joined, the rest first-wins. */
function mergeAllOf(schema: Json, resolve: (s: Json) => Json): Json {
  if (!Array.isArray(schema.allOf)) return schema;
  const { allOf, ...rest } = schema;
  const out: Json = { ...rest };
  for (const member of allOf) {
    if (!isObject(member)) continue;
    const part = mergeAllOf(resolve(member), resolve);
    for (const [key, value] of Object.entries(part)) {
      if (key === 'properties' && isObject(value)) out.properties = { ...value, ...(isObject(out.properties) ? out.properties : {}) };
      else if (key === 'required' && Array.isArray(value)) out.required = [...(Array.isArray(out.required) ? out.required : []), ...value];
      else if (out[key] === undefined) out[key] = value;
    }
  }
  return out;
}

function copyScalar(key: string, value: unknown, out: Json): void {
  const ok =
    key === 'propertyOrdering'
      ? Array.isArray(value) && value.every((v) => typeof v === 'string')
      : key === 'title' || key === 'description' || key === 'pattern'
        ? typeof value === 'string'
        : typeof value === 'number';
  if (ok) out[key] = value;
}

/** A JSON Pointer segment: `~1` is `/`, `~0` is `~`. */
function decodePointer(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}
