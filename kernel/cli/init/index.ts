/**
 * `lynkr init`: write a `lynkr.config.ts` (and with `--env`, a `.env` with
 * the credentials, in the working folder where Lynkr reads it), asked
 * interactively or taken from flags with `--yes`.
 * Nothing is written until the planned config has booted in this process.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { loadDotenv } from 'c12';
import pino from 'pino';
import { isLynkrError } from '../../errors.js';
import { resolveConfig } from '../../config/load.js';
import { createKernel } from '../../kernel.js';
import { maskValue } from '../../log/index.js';
import type { Io } from '../main.js';
import { INIT_HELP, answersFromFlags, parseInitArgs, type InitFlags } from './args.js';
import { checkAnswers, planInit, withPlaceholders, type InitAnswers, type Plan } from './plan.js';
import { describeProbe, probeModels, type Probe } from './probe.js';
import { PROVIDERS } from './providers.js';

/** What tests and embedders may replace. */
export interface InitDeps {
  /** The terminal the questions use (default: the process's). */
  input?: Readable;
  output?: Writable;
  /** Whether to ask (default: stdin and stdout are terminals). */
  interactive?: boolean;
  /** How long a local server may take to list its models. */
  probeTimeoutMs?: number;
  /** The date in the config's header. */
  now?: Date;
}

/** What the command settled on, before writing. */
export interface InitOutcome {
  answers: InitAnswers;
  /** Write `.env` too (`--env`, or accepted in the interactive flow). */
  writeEnv: boolean;
}

/** Boot the planned plugins in this process, without listening, with placeholder secrets. */
async function bootCheck(plan: Plan, cwd: string): Promise<string | undefined> {
  try {
    const config = resolveConfig({ storage: 'memory://', plugins: withPlaceholders(plan.plugins) }, { cwd, source: 'file', env: {} });
    const kernel = await createKernel(config, { logger: pino({ level: 'silent' }) });
    await kernel.stop();
    return undefined;
  } catch (error) {
    return isLynkrError(error) ? `${error.message} [${error.code}]` : (error as Error).message;
  }
}

/** Local providers the tiers use, probed at their endpoints: what `--yes` reports. */
async function probeUsed(answers: InitAnswers, probe: Probe): Promise<string[]> {
  const lines: string[] = [];
  const used = new Set(Object.values(answers.tiers).map((t) => t.provider));
  await Promise.all(
    PROVIDERS.filter((p) => p.probe && used.has(p.id)).map(async (spec) => {
      const endpoint = answers.settings[spec.id]?.baseUrl ?? spec.settings.find((s) => s.option === 'baseUrl')?.default;
      if (!endpoint) return;
      const result = await probe(endpoint, spec.probe!);
      lines.push(`found: ${describeProbe(spec.label, endpoint, result)}`);
      // Servers that serve whatever they loaded (llama.cpp, LM Studio) ignore the model name: only Ollama's must exist.
      if (result.ok && spec.id === 'ollama') {
        const models = new Set(Object.values(answers.tiers).flatMap((t) => (t.provider === spec.id ? [t.model] : [])));
        for (const model of models) {
          if (!result.models.includes(model) && !result.models.includes(`${model}:latest`)) lines.push(`warning: Ollama has no model "${model}": run \`ollama pull ${model}\``);
        }
      }
    }),
  );
  return lines.sort();
}

/** The credentials, masked, and where each one is. */
function credentialLines(plan: Plan, where: { writeEnv: boolean; dryRun: boolean; envFile: string }): string[] {
  const place = !where.writeEnv ? ' (not written: the config reads it from the environment)' : where.dryRun ? ` (would go to ${where.envFile})` : ` (in ${where.envFile})`;
  return plan.credentials.map((c) => (c.value ? `${c.env} = ${maskValue(c.value)}${place}` : `${c.env}: not set${c.required ? ' (needed)' : ''}`));
}

/**
 * Run `lynkr init`. `argv` is everything after `init`. Returns the exit code:
 * 0 written or printed, 1 a file exists without --force or the config does
 * not boot, 2 a usage error, 130 cancelled.
 */
export async function initCommand(argv: readonly string[], io: Io, deps: InitDeps = {}): Promise<number> {
  let flags: InitFlags;
  try {
    const parsed = parseInitArgs(argv);
    if (parsed === 'help') {
      io.out(INIT_HELP);
      return 0;
    }
    flags = parsed;
  } catch (error) {
    io.err(`lynkr init: ${(error as Error).message}\n\n${INIT_HELP}`);
    return 2;
  }

  const configFile = path.resolve(io.cwd, flags.output ?? 'lynkr.config.ts');
  const folder = path.dirname(configFile);
  // Lynkr reads .env from the folder it runs in, not the config's.
  const envFile = path.join(io.cwd, '.env');
  const shown = (file: string) => path.relative(io.cwd, file) || file;
  if (!flags.dryRun && !flags.force) {
    for (const file of [configFile, ...(flags.env ? [envFile] : [])]) {
      if (existsSync(file)) {
        io.err(`lynkr init: ${shown(file)} exists: --force overwrites it, --output FILE writes elsewhere, --dry-run only prints`);
        return 1;
      }
    }
  }

  const interactive = !flags.yes;
  if (interactive && !(deps.interactive ?? (process.stdin.isTTY === true && process.stdout.isTTY === true))) {
    io.err(`lynkr init: the questions need a terminal; without one, use --yes with --tier (lynkr init --help)\n\n${INIT_HELP}`);
    return 2;
  }

  // What is already set counts: the environment, then .env, as `lynkr serve` reads them.
  const env = await loadDotenv({ cwd: io.cwd, env: { ...io.env }, interpolate: true });
  const probe: Probe = (endpoint, kind) => probeModels(endpoint, kind, { timeoutMs: deps.probeTimeoutMs });

  let outcome: InitOutcome | 'cancelled';
  if (interactive) {
    // Loaded only here: the prompt library has no business in the other commands.
    const { askAnswers } = await import('./prompts.js');
    outcome = await askAnswers(flags, env, { input: deps.input, output: deps.output, probe, envFileExists: existsSync(envFile) });
    if (outcome === 'cancelled') return 130;
  } else {
    outcome = { answers: answersFromFlags(flags, env), writeEnv: flags.env };
  }

  const { answers, writeEnv } = outcome;
  // The questions check each answer as it is typed; flags are checked here, as a whole.
  const problems = checkAnswers(answers);
  if (problems.length) {
    io.err(`lynkr init: ${problems.join('\n  ')}${interactive ? '' : `\n\n${INIT_HELP}`}`);
    return interactive ? 1 : 2;
  }
  if (!interactive) for (const line of await probeUsed(answers, probe)) io.err(`lynkr init: ${line}`);
  const plan = planInit(answers, { date: deps.now });
  const problem = await bootCheck(plan, folder);
  if (problem) {
    io.err(`lynkr init: the planned config does not boot, so nothing was written: ${problem}`);
    return 1;
  }

  // Without questions, stdout carries only the files (--dry-run), so that it can be redirected.
  const say = interactive ? io.out : io.err;
  if (flags.dryRun) {
    say(`lynkr init: dry run, nothing written; ${shown(configFile)} would be:`);
    io.out(plan.config);
    if (writeEnv) {
      say(`lynkr init: and ${shown(envFile)}, secrets masked:`);
      io.out(plan.envMasked);
    }
  } else {
    await mkdir(folder, { recursive: true });
    await writeFile(configFile, plan.config);
    say(`lynkr init: wrote ${shown(configFile)}`);
    if (writeEnv) {
      // Credentials: readable by this user only, also when --force replaced a file that was not.
      await writeFile(envFile, plan.env, { mode: 0o600 });
      await chmod(envFile, 0o600);
      say(`lynkr init: wrote ${shown(envFile)} (credentials, readable by you only)`);
    }
  }
  for (const line of credentialLines(plan, { writeEnv, dryRun: flags.dryRun, envFile: shown(envFile) })) say(`lynkr init: ${line}`);
  for (const warning of plan.warnings) say(`lynkr init: warning: ${warning}`);
  if (!flags.dryRun) {
    const configFlag = flags.output ? ` --config ${shown(configFile)}` : '';
    const next = answers.mode === 'subscription' ? `lynkr wrap claude${configFlag}` : `lynkr serve${configFlag}`;
    say(`lynkr init: next: lynkr config check${configFlag}, then ${next}`);
  }
  return 0;
}
