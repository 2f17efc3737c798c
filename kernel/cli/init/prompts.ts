/**
 * The questions of `lynkr init`, with @clack/prompts: arrow-key choices,
 * masked secrets, a spinner while local servers are probed. Flags preselect
 * the answers; the result is the same `InitAnswers` that `--yes` builds.
 */
import type { Readable, Writable } from 'node:stream';
import * as p from '@clack/prompts';
import { maskValue } from '../../log/index.js';
import { answersFromFlags, type InitFlags } from './args.js';
import type { InitOutcome } from './index.js';
import { borrowedFrom, checkSetting, type InitAnswers } from './plan.js';
import { describeProbe, type Probe, type ProbeResult } from './probe.js';
import { PROVIDERS, TIERS, defaultModel, providerSpec, serverRoot, settingsIn, type Mode, type ProviderSpec, type SettingSpec, type Tier } from './providers.js';

export interface AskContext {
  input?: Readable;
  output?: Writable;
  probe: Probe;
  /** A `.env` is already in the working folder: typed credentials are not written to it without --env --force. */
  envFileExists: boolean;
}

class Cancelled extends Error {}

const SKIP = '(skip)';
const OTHER = '(other)';
const TIER_NAMES: Record<Tier, string> = { simple: 'SIMPLE', medium: 'MEDIUM', complex: 'COMPLEX', reasoning: 'REASONING' };
const TIER_HINTS: Record<Tier, string> = {
  simple: 'greetings, quick questions, background calls',
  medium: 'everyday coding',
  complex: 'refactors, multi-file changes, debugging',
  reasoning: 'architecture, security reviews, "think hard"',
};

/** The local providers and the endpoint each is probed at. */
function localEndpoints(settings: InitAnswers['settings'], mode: Mode): { spec: ProviderSpec; endpoint: string }[] {
  return PROVIDERS.filter((spec) => spec.probe).flatMap((spec) => {
    const endpoint = settings[spec.id]?.baseUrl ?? settingsIn(spec, mode).find((s) => s.option === 'baseUrl')?.default;
    return endpoint ? [{ spec, endpoint: serverRoot(endpoint) }] : [];
  });
}

/**
 * Ask everything. Returns the answers and whether to write `.env`, or
 * `'cancelled'` (Ctrl-C or Escape at any question).
 */
export async function askAnswers(flags: InitFlags, env: Readonly<Record<string, string | undefined>>, ctx: AskContext): Promise<InitOutcome | 'cancelled'> {
  const io = { input: ctx.input, output: ctx.output };
  const ask = async <T>(pending: Promise<T>): Promise<Exclude<T, symbol>> => {
    const value = await pending;
    if (p.isCancel(value)) throw new Cancelled();
    return value as Exclude<T, symbol>;
  };

  try {
    p.intro('lynkr init', io);

    // Local servers first, so that every choice after can say what runs here.
    const found = new Map<string, { endpoint: string; result: ProbeResult }>();
    const probeAll = async (targets: { spec: ProviderSpec; endpoint: string }[]) => {
      const spin = p.spinner(io);
      spin.start(`Looking for ${targets.map((t) => t.spec.label).join(', ')} on this machine`);
      const results = await Promise.all(targets.map(async (t) => ({ ...t, result: await ctx.probe(t.endpoint, t.spec.probe!) })));
      for (const { spec, endpoint, result } of results) found.set(spec.id, { endpoint, result });
      spin.stop(results.some((r) => r.result.ok) ? 'Found local model servers' : 'No local model server answered');
      p.note(results.map((r) => describeProbe(r.spec.label, r.endpoint, r.result)).join('\n'), 'Local model servers', io);
    };
    await probeAll(localEndpoints(answersFromFlags(flags, env).settings, flags.mode ?? 'api-keys'));

    const mode = await ask(
      p.select<Mode>({
        ...io,
        message: 'How will you use Lynkr?',
        options: [
          { value: 'api-keys', label: 'API keys', hint: 'local models and your own provider keys' },
          { value: 'subscription', label: 'Claude Pro/Max subscription', hint: 'through `lynkr wrap claude`: Anthropic on your subscription, the easy tiers elsewhere' },
        ],
        initialValue: flags.mode ?? 'api-keys',
      }),
    );
    const draft = answersFromFlags({ ...flags, mode }, env);
    const answers: InitAnswers = { mode, tiers: {}, settings: structuredClone(draft.settings), secrets: { ...draft.secrets }, badge: draft.badge, intentWindow: draft.intentWindow };
    const typed = new Set<string>();
    const asked = new Set<string>();

    const hint = (spec: ProviderSpec): string => {
      if (spec.local) {
        const f = found.get(spec.id);
        return f?.result.ok ? `running, ${f.result.models.length} model(s)` : 'not running here';
      }
      if (spec.id === 'anthropic' && mode === 'subscription') return 'your Claude subscription';
      const keys = settingsIn(spec, mode).filter((s) => s.secret && s.required);
      return keys.map((s) => (answers.secrets[s.env] ? `${s.env} is set` : `needs ${s.env}`)).join(', ');
    };

    const askSetting = async (spec: ProviderSpec, setting: SettingSpec) => {
      if (setting.secret) {
        const known = answers.secrets[setting.env];
        if (known) {
          p.log.info(`${setting.env} is set (${maskValue(known)}): the config reads it from there.`, io);
          return;
        }
        const value = await ask(
          p.password({
            ...io,
            message: `${spec.label} ${setting.label} (${setting.env}; leave empty to set it later)`,
            validate: (v) => (v ? checkSetting(setting, v) : undefined),
          }),
        );
        if (value) {
          answers.secrets[setting.env] = value;
          typed.add(setting.env);
        }
        return;
      }
      const current = answers.settings[spec.id]?.[setting.option] ?? setting.default ?? '';
      const value = (
        await ask(
          p.text({
            ...io,
            message: `${spec.label} ${setting.label}`,
            initialValue: current,
            placeholder: setting.url ? 'https://…' : undefined,
            validate: (v) => {
              const t = v?.trim() ?? '';
              if (!t) return setting.required ? `${spec.label} needs its ${setting.label}` : undefined;
              return checkSetting(setting, t);
            },
          }),
        )
      ).trim();
      if (value) (answers.settings[spec.id] ??= {})[setting.option] = value;
      // A local server at another address: ask it for its models too (loopback only; probe.ts refuses the rest).
      if (spec.probe && setting.option === 'baseUrl' && value && serverRoot(value) !== found.get(spec.id)?.endpoint) {
        await probeAll([{ spec, endpoint: serverRoot(value) }]);
      }
    };

    const askModel = async (spec: ProviderSpec, tier: Tier): Promise<string> => {
      const flagged = draft.tiers[tier]?.provider === spec.id ? draft.tiers[tier]!.model : undefined;
      const earlier = [...TIERS].reverse().map((t) => answers.tiers[t]).find((t) => t?.provider === spec.id)?.model;
      const suggested = flagged ?? spec.tierModels?.[tier] ?? earlier ?? defaultModel(spec, tier);
      const models = found.get(spec.id)?.result.models ?? [];
      if (models.length) {
        const choice = await ask(
          p.select<string>({
            ...io,
            message: `${TIER_NAMES[tier]} model on ${spec.label}`,
            options: [...models.map((m) => ({ value: m, label: m })), { value: OTHER, label: 'another model…' }],
            initialValue: models.includes(suggested) ? suggested : models[0],
            maxItems: 12,
          }),
        );
        if (choice !== OTHER) return choice;
      }
      return (
        await ask(
          p.text({
            ...io,
            message: `${TIER_NAMES[tier]} model on ${spec.label}`,
            initialValue: suggested,
            validate: (v) => (v?.trim() ? undefined : 'a model name, e.g. ' + defaultModel(spec, tier)),
          }),
        )
      ).trim();
    };

    for (const tier of TIERS) {
      const anyYet = TIERS.some((t) => answers.tiers[t]);
      const options: { value: string; label: string; hint?: string }[] = PROVIDERS.map((spec) => ({ value: spec.id, label: spec.label, hint: hint(spec) }));
      // Routing needs one tier at least; a missing one borrows, so any tier may be skipped but the last when none is set.
      if (tier !== 'reasoning' || anyYet) options.push({ value: SKIP, label: 'skip', hint: 'borrow the nearest configured tier' });
      const initial = draft.tiers[tier]?.provider ?? (options.some((o) => o.value === SKIP) ? SKIP : 'ollama');
      const provider = await ask(
        p.select<string>({ ...io, message: `${TIER_NAMES[tier]} tier (${TIER_HINTS[tier]}): which provider?`, options, initialValue: initial, maxItems: 12 }),
      );
      if (provider === SKIP) continue;
      const spec = providerSpec(provider)!;
      if (!asked.has(spec.id)) {
        asked.add(spec.id);
        for (const setting of settingsIn(spec, mode)) if (setting.ask) await askSetting(spec, setting);
      }
      answers.tiers[tier] = { provider, model: await askModel(spec, tier) };
    }
    for (const tier of TIERS) {
      const from = !answers.tiers[tier] && borrowedFrom(answers.tiers, tier);
      if (from) p.log.info(`${TIER_NAMES[tier]} is not set: it borrows ${TIER_NAMES[from]}.`, io);
    }

    answers.badge = await ask(
      p.confirm({ ...io, message: 'Show the routing badge (*[Lynkr] TIER → model (provider)*) at the top of each answer?', initialValue: draft.badge }),
    );
    const size = await ask(
      p.text({
        ...io,
        message: 'Intent window: how many recent user messages count toward the tier?',
        initialValue: String(draft.intentWindow.size),
        validate: (v) => (Number.isInteger(Number(v)) && Number(v) >= 1 ? undefined : 'a whole number of at least 1'),
      }),
    );
    const decay = await ask(
      p.text({
        ...io,
        message: 'Intent decay: the weight of a message one turn older (0 to 1)',
        initialValue: String(draft.intentWindow.decay),
        validate: (v) => (Number(v) > 0 && Number(v) <= 1 && v?.trim() ? undefined : 'a number above 0, at most 1'),
      }),
    );
    answers.intentWindow = { size: Number(size), decay: Number(decay) };

    let writeEnv = flags.env;
    if (!writeEnv && typed.size) {
      const names = [...typed].join(', ');
      if (ctx.envFileExists) {
        p.log.warn(`.env exists here and was left alone: set ${names} yourself, or rerun with --env --force.`, io);
      } else {
        writeEnv = await ask(p.confirm({ ...io, message: `Write ${names} to .env in this folder (readable by you only)?`, initialValue: true }));
        if (!writeEnv) p.log.warn(`Set ${names} in the environment before Lynkr starts.`, io);
      }
    }
    p.outro(flags.dryRun ? 'Here is the config (dry run: nothing is written).' : 'Writing the config.', io);
    return { answers, writeEnv };
  } catch (error) {
    if (error instanceof Cancelled) {
      p.cancel('Cancelled: nothing written.', io);
      return 'cancelled';
    }
    throw error;
  }
}
