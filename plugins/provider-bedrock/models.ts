/**
 * What Lynkr knows of Bedrock's model families: what each can take (the
 * capabilities routing reads and the `max_tokens` clamp), which Converse
 * features it accepts (cache points, a tool result's status, reasoning
 * blocks), and the default map from Claude names to Bedrock ids.
 */
import { DEFAULT_CAPABILITIES, type Capabilities, type ModelMap } from '../../kernel/index.js';

/** A model family, from its id. */
export type Family = 'claude' | 'nova' | 'llama' | 'mistral' | 'titan' | 'cohere' | 'deepseek' | 'openai' | 'qwen' | 'other';

/** Where Converse prompt caching applies for a model: Claude caches tools too, Nova only the prompt (system and messages). */
export type CacheScope = 'none' | 'prompt' | 'all';

export interface ModelProfile {
  family: Family;
  capabilities: Readonly<Capabilities>;
  cache: CacheScope;
}

const caps = (c: Partial<Capabilities>): Readonly<Capabilities> => Object.freeze({ ...DEFAULT_CAPABILITIES, ...c });

const CLAUDE_BASE = { tools: true, vision: true, contextWindow: 200_000 };

/**
 * Claude versions, most specific first. Output limits are Bedrock's per
 * model; an unknown (newer) Claude gets the limit Claude Code asks of its
 * main models.
 */
const CLAUDE: Array<[RegExp, Readonly<Capabilities>, CacheScope]> = [
  [/claude-3-haiku/, caps({ ...CLAUDE_BASE, maxOutputTokens: 4096 }), 'none'],
  [/claude-3-(?:opus|sonnet)/, caps({ ...CLAUDE_BASE, maxOutputTokens: 4096 }), 'none'],
  [/claude-3-5-haiku/, caps({ ...CLAUDE_BASE, maxOutputTokens: 8192 }), 'all'],
  [/claude-3-5-sonnet/, caps({ ...CLAUDE_BASE, maxOutputTokens: 8192 }), 'none'],
  [/claude-3-7-sonnet/, caps({ ...CLAUDE_BASE, thinking: true, maxOutputTokens: 64_000 }), 'all'],
  // Opus 4 and 4.1 (`claude-opus-4-20250514`, `claude-opus-4-1-20250805`, and the short names).
  [/claude-opus-4-(?:1-)?\d{8}|claude-opus-4(?:-[01])?(?:$|-v)/, caps({ ...CLAUDE_BASE, thinking: true, maxOutputTokens: 32_000 }), 'all'],
  [/claude-(?:opus|sonnet|haiku)-4/, caps({ ...CLAUDE_BASE, thinking: true, maxOutputTokens: 64_000 }), 'all'],
];
const CLAUDE_UNKNOWN = caps({ ...CLAUDE_BASE, thinking: true, maxOutputTokens: 32_000 });

/** Other families: Bedrock's documented limits where they are firm, conservative ones elsewhere. */
function otherProfile(family: Family, id: string): ModelProfile {
  switch (family) {
    case 'nova':
      return {
        family,
        // Nova's Converse maxTokens accepts 1..5000.
        capabilities: caps({ vision: !id.includes('nova-micro'), maxOutputTokens: 5000, contextWindow: id.includes('nova-premier') ? 1_000_000 : id.includes('nova-micro') ? 128_000 : 300_000 }),
        cache: 'prompt',
      };
    case 'llama':
      return { family, capabilities: caps({ vision: /llama3-2-(?:11|90)b|llama4/.test(id), maxOutputTokens: 2048 }), cache: 'none' };
    case 'mistral':
      return /mistral-large|pixtral/.test(id)
        ? { family, capabilities: caps({ vision: id.includes('pixtral'), maxOutputTokens: 8192 }), cache: 'none' }
        : { family, capabilities: caps({ tools: false, maxOutputTokens: 8192, contextWindow: 32_000 }), cache: 'none' };
    case 'titan':
      return { family, capabilities: caps({ tools: false, maxOutputTokens: 3072, contextWindow: 32_000 }), cache: 'none' };
    case 'cohere':
      return { family, capabilities: caps({ maxOutputTokens: 4096 }), cache: 'none' };
    case 'deepseek':
      // R1 reasons on its own and takes no tools through Converse.
      return id.includes('r1')
        ? { family, capabilities: caps({ tools: false, thinking: true, maxOutputTokens: 32_768 }), cache: 'none' }
        : { family, capabilities: caps({ maxOutputTokens: 8192 }), cache: 'none' };
    case 'openai':
      return { family, capabilities: caps({ thinking: true, maxOutputTokens: 32_768 }), cache: 'none' };
    default:
      return { family, capabilities: DEFAULT_CAPABILITIES, cache: 'none' };
  }
}

const FAMILIES: Array<[RegExp, Family]> = [
  [/(?:^|[./])claude-|anthropic\.claude/, 'claude'],
  [/amazon\.nova/, 'nova'],
  [/amazon\.titan/, 'titan'],
  [/meta\.llama/, 'llama'],
  [/mistral\.|pixtral/, 'mistral'],
  [/cohere\.command/, 'cohere'],
  [/deepseek\./, 'deepseek'],
  [/openai\.gpt-oss/, 'openai'],
  [/qwen\./, 'qwen'],
];

/**
 * The profile of a model id: a foundation model (`anthropic.claude-…`), a
 * cross-region inference profile (`us.`, `eu.`, `apac.`, `global.` …), the
 * ARN of either, or a Claude name before mapping. An application inference
 * profile's ARN names no model, so it gets the conservative defaults.
 */
export function profileOf(model: string): ModelProfile {
  const id = model.toLowerCase();
  const family = FAMILIES.find(([pattern]) => pattern.test(id))?.[1] ?? 'other';
  if (family !== 'claude') return otherProfile(family, id);
  for (const [pattern, capabilities, cache] of CLAUDE) if (pattern.test(id)) return { family, capabilities, cache };
  return { family, capabilities: CLAUDE_UNKNOWN, cache: 'all' };
}

/**
 * The cross-region inference profile prefix for a region's geography.
 * Current Claude models on Bedrock are invoked through these profiles only.
 */
export function geographyOf(region: string): string {
  if (region.startsWith('us-gov-')) return 'us-gov';
  if (region.startsWith('eu-')) return 'eu';
  if (region.startsWith('ap-')) return 'apac';
  return 'us';
}

/**
 * The default map from the Claude names clients ask for to Bedrock
 * inference profiles of the region's geography: the family words pick the
 * current model of each family (Opus 4.5, Sonnet 4.5, Haiku 4.5); older
 * versions that clients still name keep their own version.
 */
export function defaultModelMap(region: string): ModelMap {
  const geo = geographyOf(region);
  const id = (name: string) => `${geo}.anthropic.${name}`;
  return Object.freeze({
    'claude-opus-4-1*': id('claude-opus-4-1-20250805-v1:0'),
    'claude-opus-4-0*': id('claude-opus-4-20250514-v1:0'),
    'claude-opus-4-2025*': id('claude-opus-4-20250514-v1:0'),
    'claude-sonnet-4-0*': id('claude-sonnet-4-20250514-v1:0'),
    'claude-sonnet-4-2025*': id('claude-sonnet-4-20250514-v1:0'),
    'claude-3-7-sonnet*': id('claude-3-7-sonnet-20250219-v1:0'),
    'claude-3-5-haiku*': id('claude-3-5-haiku-20241022-v1:0'),
    opus: id('claude-opus-4-5-20251101-v1:0'),
    sonnet: id('claude-sonnet-4-5-20250929-v1:0'),
    haiku: id('claude-haiku-4-5-20251001-v1:0'),
  });
}

/** The model used when neither the route nor the map names one: Sonnet 4.5 in the region's geography. */
export function defaultModelOf(region: string): string {
  return `${geographyOf(region)}.anthropic.claude-sonnet-4-5-20250929-v1:0`;
}
