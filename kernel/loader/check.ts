import semver from 'semver';
import { Type } from '../util/typebox.js';
import { LynkrError } from '../errors.js';
import { isKebabCase } from '../plugin/define.js';
import { formatIssues, validate } from '../util/validate.js';
import { KERNEL_VERSION } from '../version.js';
import type { ResolvedEntry } from './resolve.js';

/** A plugin ready to set up: its options validated and defaulted. */
export interface CheckedPlugin extends ResolvedEntry {
  options: Record<string, unknown>;
}

const EMPTY = Type.Object({});

/** Validate one plugin's options against its schema, with defaults. */
export function checkOptions(entry: ResolvedEntry, options: Record<string, unknown> | undefined, where = entry.where): Record<string, unknown> {
  const result = validate(entry.definition.options ?? EMPTY, options ?? {}, where);
  if (!result.ok) {
    throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `plugin "${entry.name}": ${formatIssues(result.issues)}`, {
      plugin: entry.name,
      detail: { issues: result.issues },
    });
  }
  return result.value as Record<string, unknown>;
}

/** Check each plugin's definition, kernel range and options; refuse duplicates. */
export function checkEntries(entries: readonly ResolvedEntry[]): CheckedPlugin[] {
  const seen = new Map<string, string>();
  return entries.map((entry) => {
    const { definition, name, where } = entry;
    if (!isKebabCase(name)) {
      throw new LynkrError('LYNKR_ERR_PLUGIN_INVALID', `${where}: plugin name "${name}" must be kebab-case`);
    }
    const first = seen.get(name);
    if (first) {
      throw new LynkrError('LYNKR_ERR_PLUGIN_DUPLICATE', `plugin "${name}" appears twice: ${first} and ${where}`);
    }
    seen.set(name, where);
    if (typeof definition.kernel !== 'string' || !semver.validRange(definition.kernel)) {
      throw new LynkrError('LYNKR_ERR_PLUGIN_INVALID', `plugin "${name}" (${where}): kernel range "${String(definition.kernel)}" is not a semver range`);
    }
    if (!semver.satisfies(KERNEL_VERSION, definition.kernel, { includePrerelease: true })) {
      throw new LynkrError(
        'LYNKR_ERR_PLUGIN_KERNEL_RANGE',
        `plugin "${name}" (${where}) requires kernel ${definition.kernel}, this is ${KERNEL_VERSION}`,
        { plugin: name },
      );
    }
    return { ...entry, options: checkOptions(entry, entry.options) };
  });
}

/**
 * Order plugins so that each comes after what it depends on, keeping config
 * order otherwise. A missing or cyclic dependency refuses to boot and names
 * the path.
 */
export function orderByDependencies<T extends { name: string; definition: { dependsOn?: readonly string[] } }>(
  plugins: readonly T[],
  disabled: ReadonlySet<string> = new Set(),
): T[] {
  const byName = new Map(plugins.map((p) => [p.name, p]));
  for (const p of plugins) {
    for (const dep of p.definition.dependsOn ?? []) {
      if (!byName.has(dep)) {
        const why = disabled.has(dep) ? 'which is disabled' : 'which is not in the config';
        throw new LynkrError('LYNKR_ERR_PLUGIN_DEPENDENCY_MISSING', `plugin "${p.name}" depends on "${dep}", ${why}: ${p.name} → ${dep}`, {
          plugin: p.name,
        });
      }
    }
  }
  const ordered: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (p: T, trail: string[]): void => {
    const s = state.get(p.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(p.name)), p.name];
      throw new LynkrError('LYNKR_ERR_PLUGIN_DEPENDENCY_CYCLE', `plugins depend on each other in a cycle: ${cycle.join(' → ')}`, {
        plugin: p.name,
      });
    }
    state.set(p.name, 'visiting');
    for (const dep of p.definition.dependsOn ?? []) visit(byName.get(dep)!, [...trail, p.name]);
    state.set(p.name, 'done');
    ordered.push(p);
  };
  for (const p of plugins) visit(p, []);
  return ordered;
}
