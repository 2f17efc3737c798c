/**
 * `lynkr init`'s flags, and the answers they give without asking. The
 * interactive flow starts from the same answers, so a flag there is a
 * preselected choice.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { InitAnswers, Target } from './plan.js';
import { DEFAULT_TIERS, MODES, PROVIDERS, SUBSCRIPTION_TIERS, TIERS, defaultModel, providerSpec, settingsIn, type Mode, type Tier } from './providers.js';

/** The provider settings' flags, one line each, from the provider table. */
function providerFlags(): string {
  const rows = PROVIDERS.flatMap((p) =>
    p.settings.map((s) => [`--${p.id}-${s.flag} ${s.secret ? 'KEY' : 'URL'}`, `${p.label} ${s.label}, ${s.env}${s.modes ? ` (${s.modes.join(', ')} mode only)` : ''}`]),
  );
  const width = Math.max(...rows.map(([flag]) => flag!.length)) + 2;
  return rows.map(([flag, what]) => `  ${flag!.padEnd(width)}${what}`).join('\n');
}

export const INIT_HELP = `Usage: lynkr init [options]

Asks how you use Lynkr (a Claude Pro/Max subscription through lynkr wrap
claude, or API keys), a provider and model per tier (SIMPLE, MEDIUM,
COMPLEX, REASONING), the credentials they need, the routing badge and the
intent window; then writes lynkr.config.ts. Credentials stay out of the
config: it reads them from the environment, and --env writes them to .env.

Options:
  --output, -o FILE        write the config here (default: lynkr.config.ts)
  --env                    also write .env, in this folder, with the credentials
  --force, -f              overwrite existing files
  --dry-run                print what would be written (secrets masked), write nothing
  --yes, -y                ask nothing: take the flags, the environment and the defaults
  --mode M                 subscription or api-keys (default: api-keys)
  --tier T=PROVIDER[:MODEL]
                           a tier's target, repeatable: --tier simple=ollama:llama3.2
                           --tier complex=openai:gpt-4o; T=skip leaves a tier out (it
                           borrows the nearest configured tier above, else below)
  --badge, --no-badge      show the routing badge in answers (default: on for subscription)
  --intent-window N        how many recent user messages count (default 5)
  --intent-decay D         how fast older ones fade, in (0, 1] (default 0.7)
  --help, -h               print this help

Provider settings (each defaults to its environment variable, then .env):
${providerFlags()}

Providers: ${PROVIDERS.map((p) => p.id).join(', ')}.
With --yes and no --tier, the mode's defaults: SIMPLE and MEDIUM on Ollama,
COMPLEX and REASONING on Anthropic. With --tier, only the tiers named,
except that in subscription mode COMPLEX and REASONING go to Anthropic
unless named. Prefer the environment to --*-api-key for keys: command lines
are visible to other users of the machine.

Exit codes: 0 written (or printed); 1 a file exists without --force, or the
config does not boot; 2 a usage error; 130 cancelled.`;

export class UsageError extends Error {}

/** Every flag of one provider setting: `--ollama-endpoint`, `--openai-api-key`. */
const SETTING_FLAGS = Object.fromEntries(PROVIDERS.flatMap((p) => p.settings.map((s) => [`${p.id}-${s.flag}`, { type: 'string' } as const])));

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  env: { type: 'boolean' },
  force: { type: 'boolean', short: 'f' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  mode: { type: 'string' },
  tier: { type: 'string', multiple: true },
  badge: { type: 'boolean' },
  'no-badge': { type: 'boolean' },
  'intent-window': { type: 'string' },
  'intent-decay': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...SETTING_FLAGS,
} satisfies ParseArgsConfig['options'];

export interface InitFlags {
  output: string | undefined;
  env: boolean;
  force: boolean;
  dryRun: boolean;
  yes: boolean;
  mode: Mode | undefined;
  /** Tiers named by --tier; `skip` leaves one out on purpose. */
  tiers: Partial<Record<Tier, Target | 'skip'>>;
  badge: boolean | undefined;
  intentWindow: number | undefined;
  intentDecay: number | undefined;
  /** Non-secret settings by provider and option key; secrets by environment variable. */
  settings: Record<string, Record<string, string>>;
  secrets: Record<string, string>;
}

function parseTier(value: string): [Tier, Target | 'skip'] {
  const eq = value.indexOf('=');
  const tier = value.slice(0, eq).trim().toLowerCase() as Tier;
  if (eq === -1 || !TIERS.includes(tier)) throw new UsageError(`--tier ${value}: expected TIER=PROVIDER[:MODEL] with TIER one of ${TIERS.join(', ')}`);
  const target = value.slice(eq + 1).trim();
  if (target === 'skip' || target === 'none') return [tier, 'skip'];
  // Split at the first colon: the model may hold colons of its own (ollama:qwen2.5-coder:7b).
  const colon = target.indexOf(':');
  const provider = (colon === -1 ? target : target.slice(0, colon)).trim().toLowerCase();
  const spec = providerSpec(provider);
  if (!spec) throw new UsageError(`--tier ${value}: unknown provider "${provider}" (known: ${PROVIDERS.map((p) => p.id).join(', ')})`);
  const model = colon === -1 ? defaultModel(spec, tier) : target.slice(colon + 1).trim();
  if (!model) throw new UsageError(`--tier ${value}: no model after "${provider}:"`);
  return [tier, { provider, model }];
}

function number(flag: string, value: string | undefined, ok: (n: number) => boolean, expected: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !ok(n)) throw new UsageError(`--${flag}: expected ${expected}, got "${value}"`);
  return n;
}

/** Parse `lynkr init`'s arguments; `'help'` for --help. Throws `UsageError`. */
export function parseInitArgs(argv: readonly string[]): InitFlags | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  if (values.help) return 'help';
  if (parsed.positionals.length) throw new UsageError(`unexpected "${parsed.positionals[0]}"`);
  const mode = values.mode as string | undefined;
  if (mode !== undefined && !(MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode: expected ${MODES.join(' or ')}, got "${mode}"`);
  if (values.badge && values['no-badge']) throw new UsageError('--badge and --no-badge contradict each other');

  const tiers: InitFlags['tiers'] = {};
  for (const value of (values.tier as string[] | undefined) ?? []) {
    const [tier, target] = parseTier(value);
    if (tiers[tier]) throw new UsageError(`--tier ${tier} given twice`);
    tiers[tier] = target;
  }

  const settings: InitFlags['settings'] = {};
  const secrets: InitFlags['secrets'] = {};
  for (const spec of PROVIDERS) {
    for (const setting of spec.settings) {
      const flag = `${spec.id}-${setting.flag}`;
      const value = values[flag] as string | undefined;
      if (value === undefined) continue;
      if (!value.trim()) throw new UsageError(`--${flag}: empty`);
      if (setting.modes && !setting.modes.includes((mode as Mode | undefined) ?? 'api-keys')) {
        throw new UsageError(`--${flag} does not apply in ${mode} mode`);
      }
      if (setting.secret) secrets[setting.env] = value;
      else (settings[spec.id] ??= {})[setting.option] = value;
    }
  }

  return {
    output: values.output as string | undefined,
    env: values.env === true,
    force: values.force === true,
    dryRun: values['dry-run'] === true,
    yes: values.yes === true,
    mode: mode as Mode | undefined,
    tiers,
    badge: values.badge ? true : values['no-badge'] ? false : undefined,
    intentWindow: number('intent-window', values['intent-window'] as string | undefined, (n) => Number.isInteger(n) && n >= 1, 'a whole number of at least 1'),
    intentDecay: number('intent-decay', values['intent-decay'] as string | undefined, (n) => n > 0 && n <= 1, 'a number in (0, 1]'),
    settings,
    secrets,
  };
}

/**
 * The answers the flags give, the rest from the environment (a provider's
 * variables, e.g. `OLLAMA_ENDPOINT`, `OPENAI_API_KEY`) and the defaults.
 * What `--yes` writes, and where the interactive flow starts.
 */
export function answersFromFlags(flags: InitFlags, env: Readonly<Record<string, string | undefined>>): InitAnswers {
  const mode = flags.mode ?? 'api-keys';
  const tiers: InitAnswers['tiers'] = {};
  const named = Object.keys(flags.tiers).length > 0;
  for (const tier of TIERS) {
    const given = flags.tiers[tier];
    if (given === 'skip') continue;
    if (given) {
      tiers[tier] = given;
      continue;
    }
    const fallback = !named ? DEFAULT_TIERS[mode][tier] : mode === 'subscription' && SUBSCRIPTION_TIERS.includes(tier) ? 'anthropic' : undefined;
    const spec = fallback ? providerSpec(fallback) : undefined;
    if (spec) tiers[tier] = { provider: spec.id, model: defaultModel(spec, tier) };
  }

  const settings: InitAnswers['settings'] = {};
  const secrets: InitAnswers['secrets'] = {};
  for (const spec of PROVIDERS) {
    for (const setting of settingsIn(spec, mode)) {
      if (setting.secret) {
        const value = flags.secrets[setting.env] ?? env[setting.env];
        if (value) secrets[setting.env] = value;
      } else {
        const value = flags.settings[spec.id]?.[setting.option] ?? env[setting.env];
        if (value) (settings[spec.id] ??= {})[setting.option] = value;
      }
    }
  }

  return {
    mode,
    tiers,
    settings,
    secrets,
    badge: flags.badge ?? mode === 'subscription',
    intentWindow: { size: flags.intentWindow ?? 5, decay: flags.intentDecay ?? 0.7 },
  };
}
