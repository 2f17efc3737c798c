import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import { makeStop, type Exchange, type ResolvedDecision } from './types.js';

/** @public */
export interface ExchangeInit {
  id: string;
  surface: string;
  log: Logger;
  headers?: IncomingHttpHeaders;
  signal?: AbortSignal;
  team?: string;
  startedAt?: number;
}

const NEVER = new AbortController().signal;

/**
 * A new exchange. The kernel makes one per HTTP request; this is for running
 * the pipeline without HTTP (embedding, a server-side tool loop, tests).
 * @public
 */
export function createExchange(init: ExchangeInit): Exchange {
  return {
    id: init.id,
    surface: init.surface,
    headers: init.headers ?? {},
    signal: init.signal ?? NEVER,
    team: init.team,
    log: init.log,
    startedAt: init.startedAt ?? performance.now(),
    state: new Map(),
    timings: { upstreamMs: 0 },
    decision: undefined,
    stop: makeStop,
  };
}

/** The runner records the decision on the exchange; plugins only read it. */
export function setDecision(ex: Exchange, decision: ResolvedDecision): void {
  (ex as { decision: ResolvedDecision | undefined }).decision = decision;
}
