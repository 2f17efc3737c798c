/**
 * Which local model servers answer, and with which models. Only loopback
 * addresses are probed, with a short timeout and no redirects: the wizard
 * never reaches off the machine.
 */
import type { ProbeKind } from './providers.js';
import { serverRoot } from './providers.js';

export interface ProbeResult {
  /** The URL asked. */
  url: string;
  /** Whether it answered with a model list. */
  ok: boolean;
  models: string[];
  /** Why not, when not. */
  problem?: string;
}

/** How the wizard probes: replaceable in tests. */
export type Probe = (endpoint: string, kind: ProbeKind) => Promise<ProbeResult>;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Whether a URL points at this machine (`localhost`, `127.0.0.0/8`, `::1`). */
export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return LOOPBACK.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}

/** Where a server's models are listed: Ollama's `/api/tags`, else the OpenAI-style `/v1/models`. */
export function probeUrl(endpoint: string, kind: ProbeKind): string {
  return kind === 'ollama' ? `${serverRoot(endpoint)}/api/tags` : `${serverRoot(endpoint)}/v1/models`;
}

function modelNames(body: unknown, kind: ProbeKind): string[] | undefined {
  const list = kind === 'ollama' ? (body as { models?: unknown })?.models : (body as { data?: unknown })?.data;
  if (!Array.isArray(list)) return undefined;
  const names = list.map((m) => (kind === 'ollama' ? (m as { name?: unknown })?.name : (m as { id?: unknown })?.id));
  return names.filter((n): n is string => typeof n === 'string' && n.length > 0);
}

/**
 * Ask the server at `endpoint` (its root, `/v1` or not) for its models.
 * Never throws; a non-loopback endpoint is not asked.
 */
export async function probeModels(endpoint: string, kind: ProbeKind, options: { timeoutMs?: number } = {}): Promise<ProbeResult> {
  const url = probeUrl(endpoint, kind);
  if (!isLoopback(url)) return { url, ok: false, models: [], problem: 'not probed: not on this machine' };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 1500), redirect: 'manual', headers: { accept: 'application/json' } });
    if (!res.ok) {
      await res.body?.cancel();
      return { url, ok: false, models: [], problem: `HTTP ${res.status}` };
    }
    const models = modelNames(await res.json(), kind);
    if (!models) return { url, ok: false, models: [], problem: 'answered, but not with a model list' };
    return { url, ok: true, models };
  } catch (error) {
    // fetch says "fetch failed"; what failed is in its cause (ECONNREFUSED, "bad port", …).
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const name = (error as Error).name;
    const problem = name === 'TimeoutError' ? 'no answer in time' : cause?.code === 'ECONNREFUSED' ? 'not running' : (cause?.code ?? cause?.message ?? (error as Error).message);
    return { url, ok: false, models: [], problem };
  }
}

/** One line about a probe, for the wizard's report. */
export function describeProbe(label: string, endpoint: string, result: ProbeResult): string {
  if (!result.ok) return `${label} at ${serverRoot(endpoint)}: ${result.problem}`;
  if (!result.models.length) return `${label} at ${serverRoot(endpoint)}: running, no model loaded`;
  const shown = result.models.slice(0, 6).join(', ');
  return `${label} at ${serverRoot(endpoint)}: ${result.models.length} model${result.models.length === 1 ? '' : 's'} (${shown}${result.models.length > 6 ? ', …' : ''})`;
}
