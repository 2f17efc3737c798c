/** A `provider:model` string split at the first colon, so `ollama:qwen2.5-coder:7b` keeps its tag. */
export function parseTarget(target: string): { provider: string; model: string | undefined } {
  const at = target.indexOf(':');
  if (at === -1) return { provider: target.trim(), model: undefined };
  const model = target.slice(at + 1).trim();
  return { provider: target.slice(0, at).trim(), model: model || undefined };
}
