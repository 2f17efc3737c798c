import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { main, type Io } from './main.js';
import { LYNKR_VERSION } from '../version.js';

const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'lynkr-plugin-hello');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function project(config?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lynkr-cli-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'node_modules'));
  cpSync(fixture, path.join(dir, 'node_modules', 'lynkr-plugin-hello'), { recursive: true });
  if (config) writeFileSync(path.join(dir, 'lynkr.config.ts'), config);
  return dir;
}

function io(cwd: string, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let shutdown: ((signal: string) => void) | undefined;
  const handle: Io = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: { LOG_LEVEL: 'silent', ...env },
    cwd,
    onShutdown: (h) => (shutdown = h),
  };
  return { io: handle, out, err, signal: (s: string) => shutdown?.(s) };
}

describe('lynkr CLI', () => {
  it('prints its version and help', async () => {
    const t = io(project());
    expect(await main(['--version'], t.io)).toBe(0);
    expect(t.out).toEqual([`lynkr ${LYNKR_VERSION} (kernel 1.0.0)`]);
    expect(await main(['--help'], t.io)).toBe(0);
    expect(t.out[1]).toContain('Usage: lynkr <command> [options]');
  });

  it('exits 2 on an unknown command or flag', async () => {
    const t = io(project());
    expect(await main(['frobnicate'], t.io)).toBe(2);
    expect(t.err[0]).toMatch(/^lynkr: unknown command "frobnicate"/);
    expect(await main(['serve', '--colour'], t.io)).toBe(2);
    expect(await main(['serve', '--port', 'eighty'], t.io)).toBe(2);
  });

  it('prints the plugins in boot order and the pipeline per stage', async () => {
    const dir = project(`export default { storage: 'memory://', plugins: ['hello'] };`);
    const t = io(dir);
    expect(await main(['plugins'], t.io)).toBe(0);
    const text = t.out.join('\n');
    expect(text).toContain(`config ${path.join(dir, 'lynkr.config.ts')}`);
    expect(text).toMatch(/ {2}hello {2}1\.2\.3 {2}lynkr-plugin-hello@1\.2\.3 +\d+\.\d ms/);
    expect(text).toContain('  preRoute      hello');
    expect(text).toContain('  route         (none)');
  });

  it('checks the config and prints it with secrets masked', async () => {
    const dir = project(`export default {
  storage: 'redis://admin:hunter2hunter2@cache:6379',
  plugins: [['hello', { greeting: 'hi' }]],
  keys: ['lk-team-secret-0001'],
  teams: { research: { keys: ['lk-research-0002'] } },
};`);
    const t = io(dir);
    // Booting would connect to Redis only if a plugin used its store; hello does not.
    expect(await main(['config', 'check'], t.io)).toBe(0);
    const text = t.out.join('\n');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('lk-team-secret-0001');
    expect(text).not.toContain('lk-research-0002');
    expect(text).toContain('redis://admin:***@cache:6379');
    expect(text).toContain('"greeting": "hi"');
    expect(text).toContain('config ok: 1 plugin(s)');
  });

  it('fails with one line naming the plugin and the option', async () => {
    const t = io(project(`export default { storage: 'memory://', plugins: [['hello', { greeting: 5 }]] };`));
    expect(await main(['config', 'check'], t.io)).toBe(1);
    expect(t.err).toEqual(['lynkr: plugin "hello": plugins[0].greeting: Expected string [LYNKR_ERR_PLUGIN_OPTIONS]']);
  });

  it('fails with one line for a missing config file and an unknown plugin', async () => {
    const dir = project(`export default { storage: 'memory://', plugins: ['nope'] };`);
    const t = io(dir);
    expect(await main(['serve', '--config', 'missing.ts'], t.io)).toBe(1);
    expect(t.err[0]).toBe(`lynkr: config file not found: ${path.join(dir, 'missing.ts')} [LYNKR_ERR_CONFIG_NOT_FOUND]`);
    expect(await main(['plugins'], t.io)).toBe(1);
    expect(t.err[1]).toMatch(/^lynkr: plugins\[0\]: unknown plugin "nope": not built in, and no package lynkr-plugin-nope installed/);
    expect(t.err).toHaveLength(2);
  });

  it('explains where a prompt would go without calling a model', async () => {
    const dir = project(`export default { storage: 'memory://', plugins: ['hello', ['router-static', { target: 'ollama:qwen2.5-coder:7b' }]] };`);
    const t = io(dir);
    expect(await main(['route', 'fix', 'the', 'failing', 'test'], t.io)).toBe(0);
    expect(t.out).toEqual(['route: ollama:qwen2.5-coder:7b', 'reasons:\n  - static: ollama:qwen2.5-coder:7b']);
    expect(await main(['route', 'hello'], t.io)).toBe(0);
    expect(t.out[2]).toBe('answered by plugin "hello" in preRoute: no model would be called');
    expect(await main(['route', '--json', 'refactor it'], t.io)).toBe(0);
    expect(JSON.parse(t.out[3]!)).toEqual({ decision: { model: 'qwen2.5-coder:7b', provider: 'ollama', reasons: ['static: ollama:qwen2.5-coder:7b'] }, answeredBy: null });
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ model: 'm', messages: 'nope' }));
    expect(await main(['route', '--request', 'bad.json'], t.io)).toBe(2);
    expect(t.err[0]).toMatch(/^lynkr: --request bad\.json: .*messages/);
    expect(await main(['route'], t.io)).toBe(2);
  });

  it('serves until told to stop', async () => {
    const dir = project(`export default { storage: 'memory://', plugins: ['hello'] };`);
    const t = io(dir);
    const port = 20000 + Math.floor(Math.random() * 20000);
    const running = main(['serve', '--port', String(port)], t.io);
    let res: Response | undefined;
    for (let i = 0; i < 100 && !res; i++) {
      res = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
      if (!res || res.status !== 200) {
        res = undefined;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(await res!.json()).toEqual({ status: 'ready', plugins: ['hello'] });
    expect(await (await fetch(`http://127.0.0.1:${port}/hello`)).json()).toEqual({ greeting: 'hi there' });
    t.signal('SIGTERM');
    expect(await running).toBe(0);
  });
});
