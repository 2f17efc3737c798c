import { randomUUID } from 'node:crypto';

/**
 * A fresh id in Anthropic's style (`msg_…`, `toolu_…`), for answers and tool
 * calls whose upstream gave none.
 * @public
 */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}
