import type { Message } from '../../kernel/index.js';

/** The message that won the window. */
export interface WindowPick {
  /** 0 for the latest typed message, 1 for the one before, ... */
  age: number;
  /** Its own score. */
  score: number;
  /** `score × decay^age`. */
  weighted: number;
}

/**
 * The message whose decayed score is highest. `scores` are oldest first, so
 * the last one has age 0. On a tie the newer message wins: an older one only
 * takes over when it weighs strictly more.
 */
export function pickByWindow(scores: readonly number[], decay: number): WindowPick | undefined {
  let best: WindowPick | undefined;
  for (let i = 0; i < scores.length; i++) {
    const age = scores.length - 1 - i;
    const weighted = scores[i]! * decay ** age;
    if (!best || weighted >= best.weighted) best = { age, score: scores[i]!, weighted };
  }
  return best;
}

/**
 * What the user typed in each of the last `size` user messages that have
 * typed text, oldest first. Messages that only answer tool calls do not count
 * as turns: the window spans what the user asked, not how many tools ran.
 */
export function recentTurns(messages: readonly Message[], size: number, typedText: (m: Message) => string): string[] {
  const out: string[] = [];
  for (let i = messages.length - 1; i >= 0 && out.length < size; i--) {
    const message = messages[i]!;
    if (message.role !== 'user') continue;
    const text = typedText(message);
    if (text) out.push(text);
  }
  return out.reverse();
}
