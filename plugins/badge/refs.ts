/**
 * What a routing badge looks like, shared by the plugin that writes it
 * (`badge`) and the one that removes it from history (`badge-sanitizer`), so
 * the two cannot drift apart. Pure functions and constants: importing this
 * file does not enable the badge.
 *
 * A badge is one markdown-italic line followed by a blank line:
 *
 *     *[Lynkr] <line>*\n\n
 *
 * where `<line>` is 1 to {@link BADGE_MAX_LINE} characters with no `*`, CR or
 * LF. {@link formatBadge} only ever produces that shape, and
 * {@link BADGE_PATTERN} recognises exactly that shape at the start of a text.
 */

/** The opening every badge starts with: a cheap test before the pattern runs. */
export const BADGE_OPEN = '*[Lynkr] ';

/** The longest `<line>` a badge carries; longer lines are cut with `…`. */
export const BADGE_MAX_LINE = 1000;

/**
 * A badge at the very start of a text (no `m` flag: `^` is the start of the
 * text, never of a later line), followed by its blank line, or making up the
 * whole text (a client that trimmed the trailing blank line of the badge's
 * own block).
 */
export const BADGE_PATTERN = new RegExp(`^\\*\\[Lynkr\\] [^*\\r\\n]{1,${BADGE_MAX_LINE}}\\*(?:\\r?\\n\\r?\\n|\\s*$)`);

/** The placeholders a custom `format` may use. */
export const BADGE_PLACEHOLDERS = ['tier', 'model', 'provider', 'score'] as const;

/** @public */
export type BadgePlaceholder = (typeof BADGE_PLACEHOLDERS)[number];

/**
 * A custom format: text without `*`, CR, LF or stray braces, and
 * placeholders from {@link BADGE_PLACEHOLDERS} in braces. The option schema
 * checks it at boot, so a badge can always be recognised again.
 */
export const BADGE_FORMAT_PATTERN = `^(?:[^*\\r\\n{}]|\\{(?:${BADGE_PLACEHOLDERS.join('|')})\\})+$`;

/** What a badge says: where the answer came from. @public */
export interface BadgeInfo {
  provider: string;
  model: string;
  /** The routing tier (set by a tier router). */
  tier?: string | undefined;
  /** The router's score: a finite number or a non-empty string; anything else is left out. */
  score?: unknown;
}

/** What a custom format shows for a value that is not known. */
const UNKNOWN = '—';

/** A value on the badge's one line: no `*` (it would end the italics early) and no line break. */
function clean(value: string): string {
  return value.replace(/[*\r\n]+/g, ' ').trim();
}

function scoreText(score: unknown): string | undefined {
  if (typeof score === 'number') {
    if (!Number.isFinite(score)) return undefined;
    return String(Number.isInteger(score) ? score : Math.round(score * 100) / 100);
  }
  if (typeof score === 'string') return clean(score) || undefined;
  return undefined;
}

function defaultLine(values: Record<BadgePlaceholder, string | undefined>): string {
  const target = `${values.model ?? UNKNOWN} (${values.provider ?? UNKNOWN})`;
  const routed = values.tier ? `${values.tier} → ${target}` : target;
  return values.score === undefined ? routed : `${routed} · score ${values.score}`;
}

/**
 * The badge text, blank line included. Without `format`:
 *
 * - `*[Lynkr] TIER → model (provider) · score N*` with a tier and a score;
 * - `*[Lynkr] TIER → model (provider)*` without a score;
 * - `*[Lynkr] model (provider) · score N*` without a tier;
 * - `*[Lynkr] model (provider)*` with neither.
 *
 * With `format` (a {@link BADGE_FORMAT_PATTERN} string such as
 * `{model} via {provider}`), each placeholder is replaced by its value, or by
 * `—` when the value is not known. Scores are shown as integers or with at
 * most two decimals.
 * @public
 */
export function formatBadge(info: BadgeInfo, format?: string): string {
  const values: Record<BadgePlaceholder, string | undefined> = {
    tier: info.tier ? clean(info.tier) || undefined : undefined,
    model: clean(info.model) || undefined,
    provider: clean(info.provider) || undefined,
    score: scoreText(info.score),
  };
  let line = format
    ? clean(format.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? values[name as BadgePlaceholder] ?? UNKNOWN : whole)))
    : '';
  // A format of blanks says nothing: show the default line instead of an empty badge.
  if (!line) line = defaultLine(values);
  if (line.length > BADGE_MAX_LINE) line = `${line.slice(0, BADGE_MAX_LINE - 1)}…`;
  return `${BADGE_OPEN}${line}*\n\n`;
}

/**
 * `text` without the badge it starts with, or `undefined` when it does not
 * start with one. Only the badge and its blank line are removed.
 * @public
 */
export function stripBadge(text: string): string | undefined {
  if (!text.startsWith(BADGE_OPEN)) return undefined;
  const match = BADGE_PATTERN.exec(text);
  return match ? text.slice(match[0].length) : undefined;
}
