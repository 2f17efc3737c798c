/**
 * Inbound protection: Lynkr keys select a team, and without keys Lynkr
 * listens on loopback only, unless told explicitly to do otherwise.
 * Nothing here listens beyond 127.0.0.1: a non-loopback bind is tried on
 * 192.0.2.1 (TEST-NET-1, on no interface), which fails after the check.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { envOverrides } from '../../config/env.js';
import { main, type Io } from '../../kernel/cli/main.js';
import { resolveConfig } from '../../kernel/config/load.js';
import { exposure, isLoopbackHost, keyId } from '../../kernel/http/auth.js';
import type { Kernel } from '../../kernel/kernel.js';
import { definePlugin } from '../../kernel/plugin/define.js';
import { memoryLogger, testKernel } from '../helpers/kernel.js';

const NOWHERE = '192.0.2.1';

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('which bind addresses count as loopback', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'lynkr.internal', '127.0.0.1.nip.io', '::ffff:10.0.0.1'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('decides: keys protect any address; without keys, loopback, or an explicit allowance', () => {
    expect(exposure({ host: '0.0.0.0', allowUnauthenticated: false }, { enabled: true })).toBe('protected');
    expect(exposure({ host: '127.0.0.1', allowUnauthenticated: false }, { enabled: false })).toBe('local');
    expect(exposure({ host: '0.0.0.0', allowUnauthenticated: false }, { enabled: false })).toBe('refused');
    expect(exposure({ host: '0.0.0.0', allowUnauthenticated: true }, { enabled: false })).toBe('exposed');
  });
});

describe('starting without keys', () => {
  it('refuses a non-loopback host, before listening, with a clear error', async () => {
    kernel = await testKernel({ server: { host: '0.0.0.0', port: 0 } });
    await expect(kernel.start()).rejects.toMatchObject({
      code: 'LYNKR_ERR_SERVER_UNAUTHENTICATED',
      message: expect.stringContaining('refusing to listen on 0.0.0.0 without Lynkr keys: configure keys (or LYNKR_API_KEYS), bind 127.0.0.1, or allow it with server.allowUnauthenticated, --allow-unauthenticated or LYNKR_ALLOW_UNAUTHENTICATED=true'),
    });
    expect(kernel.isReady).toBe(false);
  });

  it('listens on loopback and says that auth is off', async () => {
    const logs = memoryLogger('info');
    kernel = await testKernel({ server: { port: 0 } }, { logger: logs.log });
    await kernel.start();
    const line = logs.lines().find((l) => String(l.msg).startsWith('Lynkr listening on'));
    expect(line).toMatchObject({ level: 30, auth: 'off', keys: 0, msg: expect.stringContaining('(no Lynkr keys: this machine only)') });
  });

  it('with server.allowUnauthenticated, goes past the check and warns', async () => {
    const logs = memoryLogger('info');
    kernel = await testKernel({ server: { host: NOWHERE, port: 0, allowUnauthenticated: true } }, { logger: logs.log });
    // 192.0.2.1 is on no interface: listening fails after the check, which is what shows the check let it through.
    await expect(kernel.start()).rejects.toMatchObject({ code: 'LYNKR_ERR_SERVER_LISTEN' });
    const warn = logs.lines().find((l) => l.level === 40);
    expect(warn?.msg).toBe(`no Lynkr keys and server.host ${NOWHERE} is not loopback: anyone who can reach the port can use your providers (allowed by server.allowUnauthenticated)`);
  });

  it('with LYNKR_ALLOW_UNAUTHENTICATED=true, likewise', async () => {
    kernel = await testKernel({ server: { host: NOWHERE, port: 0 } }, { env: { LYNKR_ALLOW_UNAUTHENTICATED: 'true' } });
    expect(kernel.config.server.allowUnauthenticated).toBe(true);
    await expect(kernel.start()).rejects.toMatchObject({ code: 'LYNKR_ERR_SERVER_LISTEN' });
  });

  it('with keys, any host passes the check, and the start line says keys are required', async () => {
    kernel = await testKernel({ server: { host: NOWHERE, port: 0 }, keys: ['lk-admin-0000001'] });
    await expect(kernel.start()).rejects.toMatchObject({ code: 'LYNKR_ERR_SERVER_LISTEN' });
    await kernel.stop();
    const logs = memoryLogger('info');
    kernel = await testKernel({ server: { port: 0 }, keys: ['lk-admin-0000001'], teams: { research: { keys: ['lk-research-001'] } } }, { logger: logs.log });
    await kernel.start();
    expect(logs.lines().find((l) => String(l.msg).startsWith('Lynkr listening on'))).toMatchObject({ auth: 'keys', keys: 2, msg: expect.stringContaining('(Lynkr keys required, 2 configured)') });
  });
});

describe('environment', () => {
  it('takes Lynkr keys from LYNKR_API_KEYS as well as LYNKR_KEYS', () => {
    expect(envOverrides({ LYNKR_API_KEYS: 'lk-one-000001, lk-two-000002' }).keys).toEqual(['lk-one-000001', 'lk-two-000002']);
    expect(envOverrides({ LYNKR_KEYS: 'lk-one-000001', LYNKR_API_KEYS: 'lk-two-000002' }).keys).toEqual(['lk-one-000001', 'lk-two-000002']);
    const config = resolveConfig({ keys: ['lk-file-00001'] }, { cwd: process.cwd(), source: 'inline', env: { LYNKR_API_KEYS: 'lk-env-000001' } });
    expect(config.keys).toEqual(['lk-file-00001', 'lk-env-000001']);
  });

  it('reads LYNKR_ALLOW_UNAUTHENTICATED=true only', () => {
    expect(envOverrides({ LYNKR_ALLOW_UNAUTHENTICATED: 'true' }).server).toEqual({ allowUnauthenticated: true });
    expect(envOverrides({ LYNKR_ALLOW_UNAUTHENTICATED: 'TRUE' }).server).toEqual({ allowUnauthenticated: true });
    expect(envOverrides({ LYNKR_ALLOW_UNAUTHENTICATED: '1' }).server).toBeUndefined();
    expect(envOverrides({ LYNKR_ALLOW_UNAUTHENTICATED: 'false' }).server).toBeUndefined();
  });
});

describe('lynkr serve', () => {
  function io(env: Record<string, string> = {}) {
    const dir = mkdtempSync(path.join(tmpdir(), 'lynkr-bind-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'lynkr.config.ts'), `export default { storage: 'memory://', plugins: [] };`);
    const err: string[] = [];
    const handle: Io = { out: () => undefined, err: (l) => err.push(l), env: { LOG_LEVEL: 'silent', ...env }, cwd: dir, onShutdown: () => undefined };
    return { io: handle, err };
  }

  it('refuses --host 0.0.0.0 without keys, naming the way out', async () => {
    const t = io();
    expect(await main(['serve', '--host', '0.0.0.0', '--port', '0'], t.io)).toBe(1);
    expect(t.err).toHaveLength(1);
    expect(t.err[0]).toMatch(/^lynkr: refusing to listen on 0\.0\.0\.0 without Lynkr keys: .*--allow-unauthenticated.* \[LYNKR_ERR_SERVER_UNAUTHENTICATED\]$/);
  });

  it('goes past the check with --allow-unauthenticated', async () => {
    const t = io();
    expect(await main(['serve', '--host', NOWHERE, '--port', '0', '--allow-unauthenticated'], t.io)).toBe(1);
    expect(t.err[0]).toMatch(/\[LYNKR_ERR_SERVER_LISTEN\]$/);
  });

  it('goes past the check with keys from LYNKR_API_KEYS', async () => {
    const t = io({ LYNKR_API_KEYS: 'lk-from-env-0001' });
    expect(await main(['serve', '--host', NOWHERE, '--port', '0'], t.io)).toBe(1);
    expect(t.err[0]).toMatch(/\[LYNKR_ERR_SERVER_LISTEN\]$/);
  });
});

describe('the key id on the exchange', () => {
  const whoami = definePlugin({
    name: 'whoami',
    version: '1.0.0',
    kernel: '^1',
    setup(ctx) {
      ctx.http.route({ method: 'GET', url: '/whoami', handler: (_req, _reply, ex) => ({ keyId: ex.keyId ?? null, team: ex.team ?? null }) });
    },
  });

  it('names the caller\'s key by a public id, stable across instances, never the key or its compared digest', async () => {
    const keys = ['lk-admin-0000001', 'lk-other-0000002'];
    kernel = await testKernel({ plugins: [whoami()], keys: [keys[0]!], teams: { research: { keys: [keys[1]!] } } });
    const ask = async (key: string) => (await kernel!.inject({ method: 'GET', url: '/whoami', headers: { 'x-lynkr-key': key } })).json() as { keyId: string; team: string | null };
    const admin = await ask(keys[0]!);
    const other = await ask(keys[1]!);
    expect(admin).toEqual({ keyId: keyId(keys[0]!), team: null });
    expect(other).toEqual({ keyId: keyId(keys[1]!), team: 'research' });
    expect(admin.keyId).toMatch(/^k_[0-9a-f]{12}$/);
    expect(admin.keyId).not.toBe(other.keyId);
    expect(createHash('sha256').update(keys[0]!).digest('hex')).not.toContain(admin.keyId.slice(2));
    // Without keys there is no key to name.
    await kernel.stop();
    kernel = await testKernel({ plugins: [whoami()] });
    expect((await kernel.inject({ method: 'GET', url: '/whoami' })).json()).toEqual({ keyId: null, team: null });
  });
});
