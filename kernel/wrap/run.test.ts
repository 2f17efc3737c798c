import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { binEnvVar, findBinary, npmGlobalBin, runTool, signalExitCode } from './run.js';

const root = mkdtempSync(path.join(tmpdir(), 'lynkr-find-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function exe(dir: string, name: string, executable = true): string {
  mkdirSync(path.join(root, dir), { recursive: true });
  const file = path.join(root, dir, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, executable ? 0o755 : 0o644);
  return file;
}

const env = (extra: Record<string, string> = {}) => ({ HOME: path.join(root, 'home'), npm_config_global_prefix: path.join(root, 'npm'), PATH: '', ...extra });
const find = (target: Parameters<typeof findBinary>[0], e: Record<string, string>) => findBinary(target, { env: e, cwd: root, commonPlaces: ['~/.local/bin'] });

describe('findBinary', () => {
  it('searches PATH in order, skipping files that are not executable', () => {
    const first = exe('p1', 'tool', false);
    const second = exe('p2', 'tool');
    expect(first).not.toBe(second);
    expect(find({ name: 'tool', binaries: ['tool'] }, env({ PATH: [path.join(root, 'p1'), path.join(root, 'p2')].join(path.delimiter) }))).toEqual({ found: true, path: second, via: 'PATH' });
  });

  it('then the npm global bin, the target\'s places (folders or files) and the common places, with ~ as HOME', () => {
    const npm = exe('npm/bin', 'npmtool');
    expect(find({ name: 'npmtool', binaries: ['npmtool'] }, env())).toEqual({ found: true, path: npm, via: 'the npm global bin' });
    const local = exe('home/.local/bin', 'localtool');
    expect(find({ name: 'localtool', binaries: ['localtool'] }, env())).toMatchObject({ found: true, path: local });
    const inApp = exe('App/bin', 'apptool');
    expect(find({ name: 'apptool', binaries: ['apptool'], places: [path.join(root, 'App/bin')] }, env())).toMatchObject({ found: true, path: inApp });
    const file = exe('home/.claude/local', 'claudish');
    expect(find({ name: 'claudish', binaries: ['claudish'], places: ['~/.claude/local/claudish'] }, env())).toMatchObject({ found: true, path: file });
  });

  it('prefers the first binary wherever it is', () => {
    exe('both', 'editor');
    const agent = exe('home/.local/bin', 'editor-agent');
    expect(find({ name: 'ed', binaries: ['editor-agent', 'editor'] }, env({ PATH: path.join(root, 'both') }))).toMatchObject({ found: true, path: agent });
  });

  it('takes an explicit executable from LYNKR_WRAP_<NAME>_BIN, then the bin option, and never falls back from it', () => {
    const own = exe('own', 'my-claude');
    exe('p3', 'claude');
    const e = env({ PATH: path.join(root, 'p3') });
    expect(find({ name: 'claude', binaries: ['claude'], bin: 'own/my-claude' }, e)).toEqual({ found: true, path: own, via: 'the "bin" option of wrap target "claude"' });
    expect(find({ name: 'claude', binaries: ['claude'], bin: 'nope' }, { ...e, LYNKR_WRAP_CLAUDE_BIN: own })).toEqual({ found: true, path: own, via: 'LYNKR_WRAP_CLAUDE_BIN' });
    expect(find({ name: 'claude', binaries: ['claude'] }, { ...e, LYNKR_WRAP_CLAUDE_BIN: 'claude' })).toMatchObject({ found: true, via: 'LYNKR_WRAP_CLAUDE_BIN' });
    expect(find({ name: 'claude', binaries: ['claude'], bin: './missing' }, e)).toEqual({
      found: false,
      looked: [path.join(root, 'missing')],
      problem: 'the "bin" option of wrap target "claude" is "./missing", which is not an executable file',
    });
  });

  it('says where it looked', () => {
    const r = find({ name: 'ghost', binaries: ['ghost'], places: ['/opt/ghost'] }, env());
    expect(r).toEqual({ found: false, looked: ['PATH', `the npm global bin (${path.join(root, 'npm', 'bin')})`, '/opt/ghost', path.join(root, 'home', '.local', 'bin')] });
  });

  it('names the override variable and the npm prefix', () => {
    expect(binEnvVar('claude')).toBe('LYNKR_WRAP_CLAUDE_BIN');
    expect(binEnvVar('my-tool')).toBe('LYNKR_WRAP_MY_TOOL_BIN');
    expect(npmGlobalBin({ NPM_CONFIG_PREFIX: '/opt/npm' }, 'linux')).toBe('/opt/npm/bin');
    expect(npmGlobalBin({ npm_config_global_prefix: 'C:\\npm' }, 'win32')).toBe('C:\\npm');
    const home = path.join(root, 'rc');
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, '.npmrc'), 'registry=https://example.test/\nprefix=~/.npm-global\n');
    expect(npmGlobalBin({ HOME: home }, 'linux')).toBe(path.join(home, '.npm-global', 'bin'));
  });
});

describe('runTool', () => {
  it('keeps the exit code, maps a signal to 128 + its number, and reports a tool that cannot start', async () => {
    const sh = (script: string) => runTool({ file: '/bin/sh', args: ['-c', script], env: { PATH: process.env.PATH }, cwd: root });
    expect(await sh('exit 5')).toMatchObject({ exitCode: 5 });
    expect(await sh('kill -TERM $$')).toMatchObject({ exitCode: 143, signal: 'SIGTERM' });
    expect(await sh('kill -KILL $$')).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
    const missing = await runTool({ file: path.join(root, 'gone'), args: [], env: {}, cwd: root });
    expect(missing).toMatchObject({ exitCode: 1, error: expect.stringContaining('ENOENT') });
    expect(signalExitCode('SIGINT')).toBe(130);
  });

  it('gives the tool exactly the environment it is handed', async () => {
    const out = path.join(root, 'env.txt');
    await runTool({ file: '/bin/sh', args: ['-c', `env > ${out}`], env: { ONLY: 'this' }, cwd: root });
    const vars = readFileSync(out, 'utf8').split('\n').filter((l) => l && !l.startsWith('PWD=') && !l.startsWith('SHLVL=') && !l.startsWith('_='));
    expect(vars).toEqual(['ONLY=this']);
  });

  it('passes signals on while the tool runs, SIGINT only when asked (on a terminal, Ctrl-C reaches the tool by itself)', async () => {
    const sleepy = (forwardInterrupt: boolean, signal: 'SIGINT' | 'SIGTERM') =>
      runTool({
        file: '/bin/sh',
        args: ['-c', 'exec sleep 5'],
        env: { PATH: process.env.PATH },
        cwd: root,
        forwardInterrupt,
        // What a signal sent to Lynkr does: run its listeners.
        onSpawn: () => setTimeout(() => process.emit(signal as never), 200),
      });
    expect(await sleepy(true, 'SIGINT')).toMatchObject({ exitCode: 130, signal: 'SIGINT' });
    expect(await sleepy(false, 'SIGTERM')).toMatchObject({ exitCode: 143, signal: 'SIGTERM' });
    const started = performance.now();
    const kept = runTool({ file: '/bin/sh', args: ['-c', 'exec sleep 0.6'], env: { PATH: process.env.PATH }, cwd: root, forwardInterrupt: false, onSpawn: () => setTimeout(() => process.emit('SIGINT' as never), 100) });
    expect(await kept).toMatchObject({ exitCode: 0 });
    expect(performance.now() - started).toBeGreaterThan(500);
  });

  it('stops passing signals on once the tool has exited', async () => {
    const before = process.listenerCount('SIGTERM');
    await runTool({ file: '/bin/sh', args: ['-c', 'exit 0'], env: {}, cwd: root });
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
