import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { loadConfig } from './load.js';
import { LynkrError } from '../errors.js';

const dirs: string[] = [];
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lynkr-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('builds the config from the environment when there is no config file', async () => {
    const cwd = folder({});
    const config = await loadConfig({ cwd, env: { PORT: '9100', LOG_LEVEL: 'debug', LYNKR_STORAGE: 'memory://', LYNKR_DISABLE: 'badge, headroom' } });
    expect(config.source).toBe('env');
    expect(config.configFile).toBeUndefined();
    expect(config.server).toEqual({ host: '127.0.0.1', port: 9100, bodyLimit: 50 * 1024 * 1024, shutdownGraceMs: 10_000, allowUnauthenticated: false });
    expect(config.log.level).toBe('debug');
    expect(config.storage).toBe('memory://');
    expect(config.disable).toEqual(['badge', 'headroom']);
  });

  it('reads .env without overriding the real environment', async () => {
    const cwd = folder({ '.env': 'PORT=9200\nLOG_LEVEL=trace\n' });
    const env: Record<string, string | undefined> = { LOG_LEVEL: 'warn' };
    const config = await loadConfig({ cwd, env });
    expect(config.server.port).toBe(9200);
    expect(config.log.level).toBe('warn');
    expect(env.PORT).toBe('9200');
  });

  it('serves the defaults with nothing at all', async () => {
    const config = await loadConfig({ cwd: folder({}), env: {} });
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.server.port).toBe(8081);
    expect(config.storage).toBe('sqlite://.lynkr/state.sqlite');
  });

  it('loads lynkr.config.ts, typed with defineConfig imported from lynkr', async () => {
    const cwd = folder({
      'lynkr.config.ts': `import { defineConfig } from 'lynkr';
const port: number = 9300;
export default defineConfig({ server: { port }, storage: 'memory://', plugins: [['hello', { greeting: 'yo' }]], disable: ['x'] });`,
    });
    const config = await loadConfig({ cwd, env: {} });
    expect(config.source).toBe('file');
    expect(config.configFile).toBe(path.join(cwd, 'lynkr.config.ts'));
    expect(config.server.port).toBe(9300);
    expect(config.plugins).toEqual([{ entry: ['hello', { greeting: 'yo' }], from: cwd }]);
  });

  it('lets PORT and then --port override the file', async () => {
    const cwd = folder({ 'lynkr.config.ts': `export default { server: { port: 9300 } };` });
    expect((await loadConfig({ cwd, env: { PORT: '9301' } })).server.port).toBe(9301);
    expect((await loadConfig({ cwd, env: { PORT: '9301' }, overrides: { port: 9302, host: '0.0.0.0' } })).server).toMatchObject({
      port: 9302,
      host: '0.0.0.0',
    });
  });

  it('layers a config on its base with extends: plugins merge by name, options layer, disable and teams merge', async () => {
    const cwd = folder({
      'base/org.config.ts': `export default {
  server: { port: 9400, host: '127.0.0.1' },
  storage: 'memory://',
  plugins: ['alpha', ['beta', { level: 1, keep: true }]],
  disable: ['gamma'],
  teams: { research: { keys: ['research-key-1'], disable: ['alpha'] } },
};`,
      'team/lynkr.config.ts': `export default {
  extends: '../base/org.config.ts',
  server: { port: 9401 },
  plugins: [['beta', { level: 2 }], 'delta'],
  disable: ['epsilon'],
  teams: { research: { options: { beta: { level: 3 } } } },
};`,
    });
    const config = await loadConfig({ cwd: path.join(cwd, 'team'), env: {} });
    expect(config.server).toMatchObject({ port: 9401, host: '127.0.0.1' });
    expect(config.storage).toBe('memory://');
    expect(config.plugins.map((p) => p.entry)).toEqual(['alpha', ['beta', { level: 2, keep: true }], 'delta']);
    expect(config.plugins[0]!.from).toBe(path.join(cwd, 'base'));
    expect(config.plugins[2]!.from).toBe(path.join(cwd, 'team'));
    expect(config.disable.sort()).toEqual(['epsilon', 'gamma']);
    expect(config.teams.research).toEqual({ keys: ['research-key-1'], disable: ['alpha'], options: { beta: { level: 3 } } });
  });

  it('refuses a missing --config file with a clear error', async () => {
    const cwd = folder({});
    await expect(loadConfig({ cwd, env: {}, configFile: 'nope.config.ts' })).rejects.toMatchObject({
      code: 'LYNKR_ERR_CONFIG_NOT_FOUND',
      message: `config file not found: ${path.join(cwd, 'nope.config.ts')}`,
    });
  });

  it('reports a config that does not load', async () => {
    const cwd = folder({ 'lynkr.config.ts': `export default {{ broken` });
    const error = await loadConfig({ cwd, env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LynkrError);
    expect((error as LynkrError).code).toBe('LYNKR_ERR_CONFIG_LOAD');
    expect((error as LynkrError).message).toContain('lynkr.config.ts');
  });

  it('names each invalid key with its path', async () => {
    const cwd = folder({
      'lynkr.config.ts': `export default { server: { port: 'eighty', colour: 'red' }, storage: 'ftp://x', teams: { research: { keys: 'k' } } };`,
    });
    const error = (await loadConfig({ cwd, env: {} }).catch((e: unknown) => e)) as LynkrError;
    expect(error.code).toBe('LYNKR_ERR_CONFIG_INVALID');
    expect(error.message).toContain('server.port: Expected integer');
    expect(error.message).toContain('server: Unknown key "colour"');
    expect(error.message).toContain('storage: Expected a value matching ^(sqlite|redis|rediss|memory)://');
    expect(error.message).toContain('teams.research.keys: Expected array');
  });

  it('rejects a bad PORT from the environment', async () => {
    const error = (await loadConfig({ cwd: folder({}), env: { PORT: 'abc' } }).catch((e: unknown) => e)) as LynkrError;
    expect(error.code).toBe('LYNKR_ERR_CONFIG_INVALID');
    expect(error.message).toContain('server.port: Expected integer');
  });
});
