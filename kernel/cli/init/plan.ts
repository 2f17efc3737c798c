/**
 * What `lynkr init` writes, from the answers alone: no prompts, no files, no
 * network. The config's plugin list is built as data first (secrets as
 * references to environment variables), then printed as TypeScript, so the
 * boot check and the file cannot disagree.
 */
import type { PluginEntry } from '../../config/schema.js';
import { maskValue } from '../../log/index.js';
import { PROVIDERS, TIERS, providerSpec, settingsIn, type Mode, type ProviderSpec, type SettingSpec, type Tier } from './providers.js';

export interface Target {
  provider: string;
  model: string;
}

/** Everything the wizard asks, or the flags say. */
export interface InitAnswers {
  mode: Mode;
  /** A tier left out borrows the nearest configured tier above it, else below. */
  tiers: Partial<Record<Tier, Target>>;
  /** Non-secret settings, per provider id, per option key (`baseUrl`), as typed. */
  settings: Record<string, Record<string, string>>;
  /** Secret values known by their environment variable: typed, from flags, or from the environment. */
  secrets: Record<string, string>;
  badge: boolean;
  intentWindow: { size: number; decay: number };
}

/** A value the config reads from the environment: printed as `process.env.NAME`. */
export class EnvRef {
  constructor(readonly name: string) {}
}

/** One credential the config reads, and whether its value is known. */
export interface Credential {
  env: string;
  provider: string;
  required: boolean;
  value: string | undefined;
}

export interface Plan {
  /** The text of `lynkr.config.ts`. */
  config: string;
  /** The plugin entries, with `EnvRef`s where the config reads the environment. */
  plugins: PluginEntry[];
  /** The provider ids the tiers use, in table order. */
  providers: string[];
  credentials: Credential[];
  /** The text of `.env` (with the secrets), and the same with them masked for printing. */
  env: string;
  envMasked: string;
  /** Things the user should know: credentials not set. */
  warnings: string[];
}

const TIER_NAMES: Record<Tier, string> = { simple: 'SIMPLE', medium: 'MEDIUM', complex: 'COMPLEX', reasoning: 'REASONING' };

/** What a missing tier serves: the nearest configured tier above it, else the nearest below (router-tiers' rule). */
export function borrowedFrom(tiers: InitAnswers['tiers'], tier: Tier): Tier | undefined {
  const at = TIERS.indexOf(tier);
  const above = TIERS.slice(at + 1).find((t) => tiers[t]);
  return above ?? [...TIERS.slice(0, at)].reverse().find((t) => tiers[t]);
}

/** Whether a string is an http(s) URL with a host. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value.trim());
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** What `.env` holds unquoted. */
const ENV_PLAIN = /^[\w.\-/:+=@,~%^]*$/;

/** A value `.env` can hold on one line: unquoted, else single-quoted (so no single quote then). */
export function envSafe(value: string): boolean {
  return !/[\r\n]/.test(value) && (ENV_PLAIN.test(value) || !value.includes("'"));
}

/** One problem with a setting's value, or undefined. */
export function checkSetting(setting: SettingSpec, value: string): string | undefined {
  if (setting.url && !isHttpUrl(value)) return `${setting.env}: "${value}" is not an http(s) URL`;
  if (setting.secret && !envSafe(value)) return `${setting.env}: the value has characters a .env line cannot hold`;
  if (!setting.secret && /[\r\n]/.test(value)) return `${setting.env}: the value spans several lines`;
  return undefined;
}

/** The providers the tiers use, in table order. */
function usedProviders(answers: InitAnswers): ProviderSpec[] {
  const ids = new Set(Object.values(answers.tiers).map((t) => t.provider));
  return PROVIDERS.filter((p) => ids.has(p.id));
}

/**
 * What is wrong with the answers, one line each: unknown providers, empty
 * models, no tier at all, malformed URLs, missing required settings, an
 * intent window out of range. Missing secrets are not problems: the config
 * reads them from the environment, where they may be set later.
 */
export function checkAnswers(answers: InitAnswers): string[] {
  const problems: string[] = [];
  const configured = TIERS.filter((t) => answers.tiers[t]);
  if (!configured.length) problems.push('no tier has a provider: give at least one (e.g. --tier simple=ollama:qwen2.5-coder:7b)');
  for (const tier of configured) {
    const { provider, model } = answers.tiers[tier]!;
    if (!providerSpec(provider)) problems.push(`${tier}: unknown provider "${provider}" (known: ${PROVIDERS.map((p) => p.id).join(', ')})`);
    if (!model.trim()) problems.push(`${tier}: no model`);
  }
  for (const spec of usedProviders(answers)) {
    for (const setting of settingsIn(spec, answers.mode)) {
      const value = setting.secret ? answers.secrets[setting.env] : answers.settings[spec.id]?.[setting.option];
      if (value === undefined || value === '') {
        if (setting.required && !setting.secret && setting.default === undefined) problems.push(`${spec.label} needs its ${setting.label} (--${spec.id}-${setting.flag})`);
        continue;
      }
      const problem = checkSetting(setting, value);
      if (problem) problems.push(problem);
    }
  }
  const { size, decay } = answers.intentWindow;
  if (!Number.isInteger(size) || size < 1) problems.push(`intent window: ${size} is not a whole number of at least 1`);
  if (!(decay > 0 && decay <= 1)) problems.push(`intent decay: ${decay} is not a number in (0, 1]`);
  return problems;
}

/** The options of one provider: settings as given (or defaulted), secrets as environment references, the models the tiers use. */
function providerOptions(spec: ProviderSpec, answers: InitAnswers): Record<string, unknown> {
  const options: Record<string, unknown> = { ...spec.fixed?.[answers.mode] };
  for (const setting of settingsIn(spec, answers.mode)) {
    if (setting.secret) {
      // An optional secret is read only when there is one: a required one is read always, so that setting it later suffices.
      if (setting.required || answers.secrets[setting.env]) options[setting.option] = new EnvRef(setting.env);
      continue;
    }
    const value = answers.settings[spec.id]?.[setting.option]?.trim() || setting.default;
    if (value !== undefined) options[setting.option] = setting.toOption ? setting.toOption(value) : value;
  }
  const models = [...new Set(TIERS.flatMap((t) => (answers.tiers[t]?.provider === spec.id ? [answers.tiers[t]!.model.trim()] : [])))];
  options.model = models[0];
  if (models.length > 1) options.models = models.slice(1);
  return options;
}

/** The plugin entries of the generated config, in order, with the comment printed above each. */
function entries(answers: InitAnswers): { entry: PluginEntry; comment?: string[] }[] {
  const used = usedProviders(answers);
  const out: { entry: PluginEntry; comment?: string[] }[] = [
    { entry: 'api-anthropic', comment: ['The APIs Lynkr serves: Anthropic Messages (Claude Code), OpenAI Chat Completions and Responses (Codex, Copilot, Aider, Cursor).'] },
    { entry: 'api-openai' },
    { entry: 'badge-sanitizer', comment: ['Strips routing badges from the history before any model sees it.'] },
  ];

  // Providers of one keyed plugin share its entry; the others get one entry each.
  const byPlugin = new Map<string, { spec: ProviderSpec; options: Record<string, unknown> }[]>();
  for (const spec of used) byPlugin.set(spec.plugin, [...(byPlugin.get(spec.plugin) ?? []), { spec, options: providerOptions(spec, answers) }]);
  let first = true;
  for (const [plugin, providers] of byPlugin) {
    const notes = providers.flatMap(({ spec }) => (spec.note?.[answers.mode] ? [spec.note[answers.mode]!] : []));
    const comment = [...(first ? ['Upstreams. Credentials are read from the environment (or .env): none is written here.'] : []), ...notes];
    first = false;
    const options = providers[0]!.spec.keyed ? Object.fromEntries(providers.map(({ spec, options }) => [spec.id, options])) : providers[0]!.options;
    out.push({ entry: [plugin, options], comment: comment.length ? comment : undefined });
  }

  const tiers: Record<string, string> = {};
  const borrowed: string[] = [];
  for (const tier of TIERS) {
    const target = answers.tiers[tier];
    if (target) tiers[tier] = `${target.provider}:${target.model.trim()}`;
    else {
      const from = borrowedFrom(answers.tiers, tier);
      if (from) borrowed.push(`${TIER_NAMES[tier]} is not set: it borrows ${TIER_NAMES[from]}.`);
    }
  }
  out.push({
    entry: ['router-tiers', tiers],
    comment: ['Routing by difficulty: each request scores 0-100 and goes to SIMPLE, MEDIUM, COMPLEX or REASONING.', ...borrowed],
  });
  out.push({
    entry: ['intent-window', { size: answers.intentWindow.size, decay: answers.intentWindow.decay }],
    comment: ['Raises the tier when one of the last `size` user messages, weighted by decay^age, was harder than this one.'],
  });
  // Before resilience: both wrap the provider call, and an exchange must count once, by its final outcome.
  out.push({ entry: 'stats', comment: ['Usage statistics: GET /v1/lynkr/stats, and the summary `lynkr wrap` prints.'] });
  out.push({
    entry: 'resilience',
    comment: ['Retries, a circuit breaker per provider:model, and the fallback ladder (tiers up, then down) before the first byte.'],
  });
  const fallback = Object.values(tiers)[0]!;
  out.push({ entry: ['router-static', { target: fallback }], comment: ['Where a request goes when no router decided (router-tiers decides every one while it is on).'] });
  out.push({ entry: ['badge', { enabled: answers.badge }], comment: ['The routing badge, `*[Lynkr] TIER → model (provider) · score N*`, as the first text of each answer.'] });
  out.push({ entry: 'wrap-claude', comment: ['The tools `lynkr wrap` can launch.'] });
  for (const name of ['wrap-codex', 'wrap-copilot', 'wrap-aider', 'wrap-cursor']) out.push({ entry: name });
  return out;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** A value as a TypeScript literal: on one line when it fits, else one key per line. */
function literal(value: unknown, indent: string, width = 110): string {
  if (value instanceof EnvRef) return `process.env.${value.name}`;
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const flat = `[${value.map((v) => literal(v, '', Infinity)).join(', ')}]`;
    if (indent.length + flat.length <= width) return flat;
    return `[\n${value.map((v) => `${indent}  ${literal(v, `${indent}  `, width)},`).join('\n')}\n${indent}]`;
  }
  if (value && typeof value === 'object') {
    const pairs = Object.entries(value).filter(([, v]) => v !== undefined);
    const key = (k: string) => (IDENT.test(k) ? k : quote(k));
    if (!pairs.length) return '{}';
    const flat = `{ ${pairs.map(([k, v]) => `${key(k)}: ${literal(v, '', Infinity)}`).join(', ')} }`;
    if (indent.length + flat.length <= width) return flat;
    return `{\n${pairs.map(([k, v]) => `${indent}  ${key(k)}: ${literal(v, `${indent}  `, width)},`).join('\n')}\n${indent}}`;
  }
  throw new TypeError(`cannot print ${typeof value} in a config`);
}

function entryText(entry: PluginEntry, indent: string): string {
  if (typeof entry === 'string') return quote(entry);
  const [name, options] = entry as readonly [string, Record<string, unknown>?];
  return `[${quote(name)}, ${literal(options ?? {}, indent)}]`;
}

const MODE_LINES: Record<Mode, string> = {
  subscription: 'Mode: a Claude Pro/Max subscription through `lynkr wrap claude`, local or keyed models for the easier tiers.',
  'api-keys': 'Mode: API keys (and local models).',
};

/** `.env` line for one variable. Lynkr expands `${VAR}` in `.env` values, so a `$` is escaped. */
function envLine(name: string, value: string): string {
  return ENV_PLAIN.test(value) ? `${name}=${value}` : `${name}='${value.replace(/\$/g, '\\$')}'`;
}

/**
 * Build what `lynkr init` writes from the answers. `date` only appears in the
 * header. Call `checkAnswers` first: this assumes the answers are valid.
 */
export function planInit(answers: InitAnswers, options: { date?: Date } = {}): Plan {
  const planned = entries(answers);
  const plugins = planned.map((p) => p.entry);
  const used = usedProviders(answers);

  const credentials: Credential[] = used.flatMap((spec) =>
    settingsIn(spec, answers.mode)
      .filter((s) => s.secret && (s.required || answers.secrets[s.env]))
      .map((s) => ({ env: s.env, provider: spec.id, required: s.required === true, value: answers.secrets[s.env] || undefined })),
  );
  const warnings = credentials
    .filter((c) => c.required && !c.value)
    .map((c) => `${c.env} is not set: ${providerSpec(c.provider)!.label} refuses requests (or Lynkr refuses to start) until it is, in the environment or .env`);

  const day = (options.date ?? new Date()).toISOString().slice(0, 10);
  const lines = [
    '/**',
    ` * Written by \`lynkr init\` on ${day}. ${MODE_LINES[answers.mode]}`,
    ' * Edit it freely: docs/config.md lists every key. `lynkr config check` validates it,',
    ' * `lynkr route "PROMPT"` shows where a prompt would go.',
    ' */',
    "import { defineConfig } from 'lynkr';",
    '',
    'export default defineConfig({',
    "  server: { host: '127.0.0.1', port: 8081 },",
    '  plugins: [',
  ];
  planned.forEach(({ entry, comment }, i) => {
    if (comment && i > 0) lines.push('');
    for (const c of comment ?? []) lines.push(`    // ${c}`);
    lines.push(`    ${entryText(entry, '    ')},`);
  });
  lines.push('  ],', '});', '');

  const header = ['# Written by `lynkr init`. Credentials only: everything else is in lynkr.config.ts.', '# Keep this file out of version control.'];
  const known = credentials.filter((c) => c.value);
  const missing = credentials.filter((c) => !c.value);
  const body = (mask: boolean) => [
    ...header,
    ...(credentials.length ? [] : ['# No provider you chose needs a credential.']),
    ...known.map((c) => (mask ? `${c.env}=${maskValue(c.value)}` : envLine(c.env, c.value!))),
    ...missing.map((c) => `# ${c.env}=   (${c.required ? 'needed' : 'optional'}: not given to lynkr init)`),
    '',
  ];

  return {
    config: lines.join('\n'),
    plugins,
    providers: used.map((p) => p.id),
    credentials,
    env: body(false).join('\n'),
    envMasked: body(true).join('\n'),
    warnings,
  };
}

/** The plugin entries with every environment reference replaced, for a boot check that needs no real secret. */
export function withPlaceholders(plugins: readonly PluginEntry[], placeholder = 'lynkr-init-placeholder'): PluginEntry[] {
  const swap = (value: unknown): unknown => {
    if (value instanceof EnvRef) return placeholder;
    if (Array.isArray(value)) return value.map(swap);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swap(v)]));
    return value;
  };
  return plugins.map((entry) => swap(entry) as PluginEntry);
}
