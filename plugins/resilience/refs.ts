/**
 * What resilience shares: the circuit breakers, so that routing (a bandit, a
 * dashboard) can skip or show a failing provider:model. The one file of this
 * plugin another plugin may import.
 */
import { createServiceRef } from '../../kernel/index.js';

/** @public */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** @public */
export interface CircuitView {
  /** The state a call to `provider:model` would meet now. */
  state(provider: string, model: string): CircuitState;
}

/** @public */
export const circuitsRef = createServiceRef<CircuitView>({ id: 'resilience.circuits' });
