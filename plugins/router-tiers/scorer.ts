/**
 * The complexity scorer: 0-100 from what the user typed, by documented
 * lexical features. Each feature measures a strength between 0 and 1 and
 * contributes `strength × weight` points; the sum is clamped to 0-100. Force
 * rules decide some turns outright. See README.md for the table.
 */
import type { ForcedTier, ScoreResult } from './refs.js';

/** The features, in the order they are reported. */
export const FEATURES = [
  'length',
  'code',
  'files',
  'explain',
  'build',
  'refactor',
  'debug',
  'review',
  'reasoning',
  'planning',
  'hard',
  'scope',
  'risk',
  'tools',
  'parts',
  'compound',
  'small',
] as const;

/** @public */
export type Feature = (typeof FEATURES)[number];

/** Points a feature contributes at full strength. `small` subtracts. */
export const DEFAULT_WEIGHTS: Readonly<Record<Feature, number>> = Object.freeze({
  length: 20,
  code: 8,
  files: 10,
  explain: 16,
  build: 20,
  refactor: 30,
  debug: 30,
  review: 24,
  reasoning: 18,
  planning: 24,
  hard: 24,
  scope: 14,
  risk: 16,
  tools: 6,
  parts: 10,
  compound: 14,
  small: -14,
});

export interface ScorerOptions {
  weights: Readonly<Record<Feature, number>>;
  /** A turn with risk vocabulary scores at least this (the MEDIUM band's floor): risky turns never go to SIMPLE. */
  riskFloor: number;
  /** A turn with acute risk (a leak, an outage, destroying data) scores at least this (the COMPLEX band's floor). */
  acuteFloor: number;
  forceSimple: boolean;
  forceReasoning: boolean;
}

// ---- vocabulary ----------------------------------------------------------------------------------
// Word-bounded on purpose: "author" is not "auth", "proof-of-concept" is not a proof.

const re = (source: string) => new RegExp(source, 'i');
const reAll = (source: string) => new RegExp(source, 'gi');

const EXPLAIN = re(
  String.raw`\b(explain|walk (me )?through|describe how|summari[sz]e|how (does|do|is) .{0,60}\bwork|what happens (when|if)|what is the purpose|why (does|do|is|are|did)|what (does|do) .{0,60}\bmean)\b`,
);
const BUILD = re(String.raw`\b(implement|build|create|write(?!-)|generate|scaffold|set up|integrate|develop)\b`);
/** Verbs that change code but may be small: they count for less than BUILD's. */
const CHANGE = re(String.raw`\b(add|make(?! sure)|update|change|modify|extend|convert|support)\b`);
const REFACTOR = re(
  String.raw`\b(refactor\w*|restructure|rewrite|re-?architect\w*|overhaul|migrat(e|ing) (\w+ ){0,4}(to|from|off|onto)|move .{0,50}\binto (a|an|one|the|its own|separate)\b|port .{0,60}\bfrom [a-z][\w.#+-]* to [a-z][\w.#+-]*|migration (of|from|to|off)|port (it|this|the \w+) (to|from)|split .{0,50}\binto\b|break (up )?.{0,50}\binto\b|extract .{0,50}\binto\b|decouple|modulari[sz]e|consolidate|replace .{0,40}\b(with|by)\b .{0,40}\b(across|throughout|everywhere|all)\b|convert (the|our|this)? ?(whole|entire|codebase|project|app)|upgrade .{0,40}\b(from|to) v?\d)`,
);
/** Investigation: the cause is not known yet. */
const DEBUG = re(
  String.raw`\b(debug\w*|investigate|diagnose|root[- ]cause|figure out (why|what)|find (out )?(why|what changed|the cause|the leak|the bug)|intermittent\w*|flaky|flakes|sometimes|occasionally|randomly|silently|one (run|time|request) in|regression|bisect|memory leak|leaking|oom|segfault|panic|hangs?|stuck|crash(es|ing)? (on|at|when|after)|profil(e|ing)|optimi[sz]e|bottlenecks?|(twice|\d+x) as fast)`,
);
/** A question about a symptom, or a speed complaint: lighter than an investigation. */
const SYMPTOM = re(String.raw`\b(why (is|does|do|are|did|would) .{0,80}(fail|crash|hang|slow|flak|break|leak|time ?out|wrong|stale|twice|duplicat)|slow(est|er|ly)?|speed up|latency)`);
const FIX = re(String.raw`\bfix\b`);
const FAILURE = re(String.raw`\b(bug|error|fails?|failing|failed|broken|breaking|crash\w*|exception|typeerror|undefined|null pointer|500s?)\b`);
const REVIEW = re(String.raw`\b(code review|review (this|the|my|our|these) (\w+ )?(pr|pull request|diff|changes|code|implementation|design|model|architecture|flow|logic)|analy[sz]e|assess|evaluate|audit)\b`);
const REASONING = reAll(
  String.raw`\b(trade-?offs?|pros and cons|compare|comparison|versus|vs\.?|implications|correctness|invariants?|edge cases|guarantees?|rigorous\w*|prove|proof|formal\w*|step[- ]by[- ]step|reason about|interleavings?|counter-?example|failure modes|worst case|recommend\w*|choose between|is it safe|anomal\w*|review|analy[sz]e)\b`,
);
const PLANNING = reAll(
  String.raw`\b(plan (the|a|an|out|how|for|our|my|this)|(a|the) plan (for|to)|planning|(re-?)?design|architecture|architect|roadmap|strategy|approach|proposal|rfc|adr|boundaries|how should (we|i)|system design|scalab\w*|long[- ]term)\b`,
);
const HARD = reAll(
  String.raw`\b(race conditions?|data race|races|deadlocks?|livelock|concurren\w*|thread[- ]safe\w*|mutex\w*|lock[- ]free|atomic\w*|memory (leaks?|ordering|growth)|leaking memory|oom\w*|distributed|consensus|leader election|consisten\w*|linearizab\w*|idempoten\w*|exactly[- ]once|replication|sharding|partitions?|cache invalidation|backpressure|event loop|starv\w*|clock drift|gc pauses?|isolation level|interleavings?|conflict resolution|paralleli[sz]\w*|two-phase commit|2pc|sagas?|compensating transactions?|distributed transactions?|inconsisten\w*|reconcil\w*|mismatch\w*|sync(hroni[sz]ation)? protocol|offline[- ]first|crdts?|vector clocks?|causal\w*|ordering guarantees?|(some|certain|a few) (\w+ ){0,3}(users|customers|requests|machines|devices)|flaky|intermittent\w*|nondetermini\w*|one (run|time|request) in \w+|write amplification|locality|(\d+k|\d{4,}) (inserts|writes|reads|requests|rps|qps|messages))\b`,
);
const SCOPE = re(
  String.raw`\b(across|entire|whole|every (file|module|service|caller|place|endpoint|page|repository|component|handler|route|query|usage|function|class|path)|all (the )?(files|modules|services|callers|usages|endpoints|pages|tests|places|repositories|components|handlers|routes|queries|calls|functions|classes|strings|imports)|codebase|repo-?wide|throughout|monorepo|multiple (files|modules|services)|end-to-end|\d{2,} files|everywhere)\b`,
);
const TOOLS = re(
  String.raw`\b(run (the )?(tests?|build|linter|migrations?|suite)|execute|install|git commit|commit (the|this|these|it|my|your|all|and)|push|open a (pr|pull request)|create a branch|grep|search the (code|repo)|check (the )?logs)\b`,
);
/** Separators of an enumerated request ("X: a, b, and c"). */
const PART_SEPARATOR = /[,;:](?!\/\/)|\band\b/gi;
const LIST_ITEM = /^\s*(?:[-*•]|\d+[.)])\s+\S/gm;
const SMALL = re(
  String.raw`\b(typos?|rename|bump|tweak|trailing|whitespace|indentation|reformat|a comment|fix (the )?formatting|comment out|one[- ]liner|quick question|just|small|tiny|minor|trivial|cosmetic|briefly|in (one|two|a few) (sentences?|lines?|words?))\b`,
);

/**
 * Risk vocabulary by category. A turn that touches any of them is floored at
 * MEDIUM; touching two, or changing code while touching one, counts fully.
 */
const RISK: readonly RegExp[] = [
  // authentication and access
  re(String.raw`\b(auth|authn|authz|authenticat\w*|authori[sz]\w*|oauth\w*|jwts?|sso|saml|login|log in|sign[- ]?in|signup|sign[- ]up|log(ged|s)? ?out|logout|(refresh|access|bearer|session|id) tokens?|sessions? (cookie|handling|fixation)|permissions?|rbac|acls?|access control|csrf|cors)\b`),
  // secrets and cryptography
  re(String.raw`(\b(secrets?|credentials?|api[ _-]?keys?|access keys?|private keys?|passwords?|passphrases?|vault|kms|encrypt\w*|decrypt\w*|certificates?|tls|ssl)\b|(^|[\s/'"\x60])\.env\b)`),
  // data that can be lost
  re(String.raw`\b((database|db|schema|data) migrations?|migrations? (file|script)s?|run (the )?migrations?|alter table|drop (table|column|database)|backfill\w*|data loss|truncate|pii|gdpr|backups?|restore)\b`),
  // production
  re(String.raw`\b(production|prod|deploy\w*|rollout|roll back|rollback|hotfix|outage|incident|downtime|on-?call|sev ?\d|postmortem|live traffic)\b`),
  // security
  re(String.raw`\b(security|vulnerab\w*|cves?|exploit\w*|(?<!dependency )injection|xss|ssrf|rce|sanitiz\w*|attackers?|threat|pentest\w*|malicious)\b`),
  // money
  re(String.raw`\b(payments?|billing|invoic\w*|refunds?|stripe|checkout|charges?|ledger|balances?|payouts?)\b`),
];
/** Risk that is happening now or cannot be undone: a cheap model must not handle it alone. */
const ACUTE = re(
  String.raw`\b(leak(ed|s)? (secret|key|token|credential|password)s?|(secret|key|token|credential|password)s? (was |were |got )?(leaked|exposed|compromised)|leaked|compromised|breach\w*|outage|incident|is down|sev ?[0-2]|data loss|drop (table|database)|truncate|wipe|rm -rf|delete .{0,30}\b(database|production|prod)\b|force[- ]push|rotate .{0,30}\b(keys?|secrets?|credentials?|tokens?|passwords?)|returning 5\d\d|5\d\ds\b)`,
);

// ---- force rules ---------------------------------------------------------------------------------

/** Words a pleasantry or an acknowledgement is made of. "go ahead" and "continue" are not here: they ask for work. */
const ACK_WORDS = new Set(
  (
    'hi hello hey heya hiya yo howdy morning afternoon evening good gm thanks thank you thx ty tysm cheers bye goodbye later cya ' +
    'ok okay k kk sure yes yep yeah yup no nope nah got it understood cool great nice perfect awesome excellent fine lgtm ' +
    'sounds looks alright right wonderful amazing brilliant that works worked is makes sense much a lot so very appreciated ' +
    'appreciate man mate all there claude buddy again noted'
  ).split(' '),
);
const GREETING_WORDS = new Set('hi hello hey heya hiya yo howdy morning afternoon evening gm'.split(' '));
const THANKS_WORDS = new Set('thanks thank thx ty tysm cheers appreciated appreciate bye goodbye later cya'.split(' '));

/**
 * Explicit requests for the strongest tier. Deliberately absent: the bare
 * words verify, proof, prove, review and reason, which ordinary requests use
 * ("verify the file exists").
 */
const FORCE_REASONING: ReadonlyArray<readonly [string, RegExp]> = [
  ['ultrathink', re(String.raw`\bultra[- ]?think\b`)],
  ['think hard', re(String.raw`\bthink (really |very |long and )?(hard|harder|deeply|carefully|step[- ]by[- ]step|(it|this|that) through|through (this|it|that|the))\b`)],
  ['security audit', re(String.raw`\b(security (audit|review|assessment)|threat[- ]model\w*|pen(etration)?[- ]?test\w*|vulnerability (scan|assessment))\b`)],
  [
    'security audit',
    re(String.raw`\b(audit|review|assess)\b.{0,80}\b(for|against) (security|vulnerabilit\w*|exploit\w*|(sql |command |shell )?injection|xss|csrf|ssrf|attacks?)\b`),
  ],
  [
    'formal proof',
    re(String.raw`\b((formal|rigorous)(ly)? (verif\w*|proofs?|prove|argument|analysis)|prove (that|it|the)\b.{0,80}\b(correct\w*|terminat\w*|linearizab\w*|safe|deadlock[- ]free|invariant\w*))`),
  ],
  ['first principles', re(String.raw`\bfrom first principles\b`)],
];
const NEGATED = /\b(don'?t|do not|no need to|without|never)\s+(\w+\s+){0,2}$/i;

/** A forced tier for the text, if a force rule matches. */
export function forceRule(text: string, options: Pick<ScorerOptions, 'forceSimple' | 'forceReasoning'>): ForcedTier | undefined {
  if (options.forceReasoning) {
    for (const [rule, pattern] of FORCE_REASONING) {
      const match = pattern.exec(text);
      // "no need to think hard about it" asks for the opposite.
      if (match && !NEGATED.test(text.slice(Math.max(0, match.index - 30), match.index))) return { tier: 'REASONING', rule };
    }
  }
  if (options.forceSimple) {
    const rule = pleasantry(text);
    if (rule) return { tier: 'SIMPLE', rule };
  }
  return undefined;
}

/** `greeting`, `thanks` or `acknowledgement` when the whole message is one (up to 8 words, emoji allowed). */
function pleasantry(text: string): string | undefined {
  if (text.length > 80) return undefined;
  const words = text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s']/gu, ' ')
    .replace(/'/g, '')
    .split(/\s+/)
    .filter(Boolean);
  // Emoji or punctuation only: "👍", "🙏", "!!".
  if (words.length === 0) return 'acknowledgement';
  if (words.length > 8 || !words.every((w) => ACK_WORDS.has(w))) return undefined;
  if (words.some((w) => GREETING_WORDS.has(w))) return 'greeting';
  if (words.some((w) => THANKS_WORDS.has(w))) return 'thanks';
  return 'acknowledgement';
}

// ---- features ------------------------------------------------------------------------------------

/** Vocabulary is matched in the first 6000 and last 2000 characters: the ask sits there, pasted logs in between. */
const HEAD = 6000;
const TAIL = 2000;

const FILE = reAll(
  String.raw`(?:[\w.-]+/)+[\w-]+\.[a-z][a-z0-9]{0,5}\b|\b[\w-]+\.(?:ts|tsx|js|jsx|mjs|cjs|py|go|rs|java|kt|rb|php|cs|cpp|cc|c|h|hpp|swift|sql|ya?ml|json|toml|md|sh|tf|proto|graphql|vue|svelte|css|scss|html|env)\b`,
);
const NOT_FILES = new Set(['node.js', 'next.js', 'vue.js', 'nuxt.js', 'express.js', 'react.js', 'three.js', 'd3.js', 'chart.js', 'socket.io']);
const FENCE = /```/g;
const FENCED = /```[\s\S]*?(?:```|$)/g;
const STACK_LINE = /^\s+at .+[:(]\d+|^\s*File ".+", line \d+|^Traceback \(most recent call last\)|^\s*\w+(Error|Exception)\b.*:/gm;
const CODE_LINE = /[;{}]\s*$|=>|^\s*(def|function|class|import|from|const|let|var|return|if|for|while|#include|pub fn|fn|func)\b/;

function words(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 9 || c === 13;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}

const count = (pattern: RegExp, text: string): number => {
  pattern.lastIndex = 0;
  let n = 0;
  while (pattern.exec(text)) n++;
  return n;
};

/** Distinct lower-cased matches of a global pattern. */
function distinct(pattern: RegExp, text: string): Set<string> {
  pattern.lastIndex = 0;
  const out = new Set<string>();
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) out.add(m[0].toLowerCase());
  return out;
}

function codeStrength(text: string): number {
  const fences = count(FENCE, text) >> 1;
  const stack = count(STACK_LINE, text);
  let codeLines = 0;
  for (const line of text.split('\n', 400)) if (CODE_LINE.test(line)) codeLines++;
  if (fences >= 2 || codeLines >= 25) return 1;
  return fences >= 1 || stack >= 1 || codeLines >= 3 ? 0.6 : 0;
}

function filesStrength(text: string): number {
  const files = new Set([...distinct(FILE, text)].filter((f) => !NOT_FILES.has(f)));
  return files.size >= 3 ? 1 : files.size === 2 ? 0.7 : files.size === 1 ? 0.4 : 0;
}

/** Strength of every feature for a text, and whether it carries acute risk. */
export function featureStrengths(text: string): { strengths: Record<Feature, number>; acute: boolean } {
  const scan = text.length > HEAD + TAIL ? `${text.slice(0, HEAD)}\n${text.slice(-TAIL)}` : text;
  const n = words(text);
  const acute = ACUTE.test(scan);
  const riskHits = RISK.filter((pattern) => pattern.test(scan)).length;
  const reasoning = distinct(REASONING, scan).size;
  const planning = distinct(PLANNING, scan).size;
  const hard = distinct(HARD, scan).size;
  // Commas and colons inside pasted code say nothing about how many things are asked.
  const prose = scan.includes('```') ? scan.replace(FENCED, ' ') : scan;
  const parts = count(PART_SEPARATOR, prose) + count(LIST_ITEM, prose);
  const refactor = REFACTOR.test(scan) ? 1 : 0;
  const debug = DEBUG.test(scan) ? 1 : SYMPTOM.test(scan) || (FIX.test(scan) && FAILURE.test(scan)) ? 0.5 : 0;
  // A refactor or an investigation already says the turn changes code: writing it is not counted twice.
  const build = refactor || debug === 1 ? 0 : BUILD.test(scan) ? 1 : CHANGE.test(scan) ? 0.8 : 0;
  // Changing risky code weighs more than reading it.
  const changes = build > 0 || refactor > 0 || debug === 1;

  const s: Record<Feature, number> = {
    length: Math.min(1, Math.max(0, Math.log2(n / 4) / 6)),
    code: codeStrength(scan),
    files: filesStrength(scan),
    explain: EXPLAIN.test(scan) ? 1 : 0,
    build,
    refactor,
    debug,
    review: REVIEW.test(scan) ? 1 : 0,
    reasoning: reasoning >= 3 ? 1 : reasoning === 2 ? 0.8 : reasoning === 1 ? 0.5 : 0,
    planning: planning >= 2 ? 1 : planning === 1 ? 0.7 : 0,
    hard: hard >= 2 ? 1 : hard === 1 ? 0.6 : 0,
    scope: SCOPE.test(scan) ? 1 : 0,
    risk: riskHits >= 2 || acute || (riskHits === 1 && changes) ? 1 : riskHits === 1 ? 0.7 : 0,
    tools: TOOLS.test(scan) ? 1 : 0,
    parts: parts >= 5 ? 1 : parts >= 3 ? 0.5 : 0,
    compound: 0,
    small: SMALL.test(scan) ? 1 : 0,
  };
  // Several kinds of depth at once (a migration plan that must stay consistent under load) is what sets the hardest turns apart.
  const depth = [s.refactor, s.debug, s.review, s.reasoning, s.planning, s.hard, s.risk, s.scope].filter((v) => v > 0).length;
  s.compound = depth >= 4 ? 1 : depth === 3 ? 0.6 : 0;
  return { strengths: s, acute };
}

/** Points per feature (non-zero only) and their clamped sum. */
export function scoreFeatures(strengths: Readonly<Record<Feature, number>>, weights: Readonly<Record<Feature, number>>): { score: number; features: Record<string, number> } {
  const features: Record<string, number> = {};
  let sum = 0;
  for (const name of FEATURES) {
    const points = Math.round(strengths[name] * weights[name] * 10) / 10;
    if (points === 0) continue;
    features[name] = points;
    sum += points;
  }
  return { score: Math.round(Math.min(100, Math.max(0, sum))), features };
}

/** Results are memoized per text, in a bounded map: the intent window scores the same recent messages on every turn. */
const MEMO_SIZE = 512;
const MEMO_MAX_TEXT = 16_384;

/** A scorer with its options fixed. */
export function createScorer(options: ScorerOptions): (text: string) => ScoreResult {
  const memo = new Map<string, ScoreResult>();
  return (text) => {
    const cached = memo.get(text);
    if (cached) return cached;
    const result = scoreText(text, options);
    if (text.length <= MEMO_MAX_TEXT) {
      // Insertion order makes the first key the oldest entry.
      if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!);
      memo.set(text, result);
    }
    return result;
  };
}

function scoreText(text: string, options: ScorerOptions): ScoreResult {
  const forced = forceRule(text, options);
  if (forced?.tier === 'REASONING') return Object.freeze({ score: 100, features: Object.freeze({}), forced });
  // A pleasantry has no risk vocabulary by construction (its words are a closed list), so nothing here can floor it.
  if (forced) return Object.freeze({ score: 0, features: Object.freeze({}), forced });
  const { strengths, acute } = featureStrengths(text);
  const { score, features } = scoreFeatures(strengths, options.weights);
  const floor = acute ? options.acuteFloor : strengths.risk > 0 ? options.riskFloor : 0;
  return Object.freeze({ score: Math.max(score, floor), features: Object.freeze(features) });
}
