import { Value, type Static, type TSchema } from './typebox.js';

/** A TypeBox error reduced to what a user needs: where, and what was expected. */
export interface ValidationIssue {
  /** Dotted path with indices, e.g. `server.port` or `plugins[3].alpha`. */
  path: string;
  message: string;
}

/** `/plugins/3/alpha` → `plugins[3].alpha`, under an optional prefix. */
export function formatPath(pointer: string, prefix = ''): string {
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out || '(root)';
}

interface TypeboxError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

function describe(error: TypeboxError): string | undefined {
  const p = error.params;
  switch (error.keyword) {
    case 'type':
      return `Expected ${String(p.type)}`;
    case 'required':
      return `Missing required ${(p.requiredProperties as string[] | undefined)?.map((k) => `"${k}"`).join(', ') ?? 'property'}`;
    case 'additionalProperties':
      return `Unknown key ${(p.additionalProperties as string[] | undefined)?.map((k) => `"${k}"`).join(', ') ?? ''}`.trimEnd();
    case 'boolean':
      // TypeBox reports each extra key twice (once as a false sub-schema): the additionalProperties entry says it better.
      return undefined;
    case 'const':
      return `Expected ${JSON.stringify(p.allowedValue)}`;
    case 'pattern':
      return `Expected a value matching ${String(p.pattern)}`;
    case 'minLength':
      return `Expected at least ${String(p.limit)} characters`;
    case 'anyOf':
    case 'oneOf':
      return 'Expected one of the allowed forms';
    default:
      return error.message.charAt(0).toUpperCase() + error.message.slice(1);
  }
}

/**
 * Validate `value` against `schema` after applying its defaults. Does not
 * mutate the input. Returns the defaulted value or the issues, each with a
 * readable path under `prefix`.
 */
export function validate<S extends TSchema>(
  schema: S,
  value: unknown,
  prefix = '',
): { ok: true; value: Static<S> } | { ok: false; issues: ValidationIssue[] } {
  const defaulted = Value.Default(schema, Value.Clone(value ?? {}));
  if (Value.Check(schema, defaulted)) return { ok: true, value: defaulted as Static<S> };
  const errors = [...(Value.Errors(schema, defaulted) as Iterable<TypeboxError>)];
  // A union of literals fails once per literal, then once as a whole: report the whole, listing the literals.
  const literals = new Map<string, unknown[]>();
  for (const e of errors) {
    if (e.keyword === 'const') literals.set(e.instancePath, [...(literals.get(e.instancePath) ?? []), e.params.allowedValue]);
  }
  const unions = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'const' && unions.has(error.instancePath)) continue;
    const allowed = literals.get(error.instancePath);
    const message =
      error.keyword === 'anyOf' && allowed ? `Expected one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` : describe(error);
    if (!message) continue;
    const issue = { path: formatPath(error.instancePath, prefix), message };
    const key = `${issue.path}\0${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return { ok: false, issues };
}

/** `plugins[3].alpha: Expected number; plugins[3].beta: ...` */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
