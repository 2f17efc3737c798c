/**
 * What tokens cost, at a price from the kernel's price table
 * (`config/prices.json`).
 */
import type { Price } from '../../kernel/index.js';
import type { StatsTokens } from './refs.js';

export { loadPriceFile, modelKeys, PriceTable, type Price } from '../../kernel/index.js';

/** The cost of some tokens at a price. */
export function costOf(tokens: StatsTokens, price: Price): number {
  const perMillion =
    tokens.input * price.input +
    tokens.output * price.output +
    tokens.cacheRead * (price.cacheRead ?? price.input) +
    tokens.cacheWrite * (price.cacheWrite ?? price.input);
  return perMillion / 1_000_000;
}

/** How a price ranks when the baseline is "the most expensive model seen". */
export function weight(price: Price): number {
  return price.input + price.output;
}
