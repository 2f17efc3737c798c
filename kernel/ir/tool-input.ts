/**
 * The input of a tool call from the JSON text of its arguments, as upstreams
 * send it. Empty text is a call without parameters: `{}`. Text that is not a
 * JSON object is kept whole as `{ "_raw": text }` rather than dropped or
 * thrown: the client then runs the tool, the tool rejects the input, and the
 * model sees its own mistake and can retry, instead of the user seeing a
 * failed turn.
 * @public
 */
export function parseToolInput(json: string): Record<string, unknown> {
  if (json.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to the raw form.
  }
  return { _raw: json };
}
