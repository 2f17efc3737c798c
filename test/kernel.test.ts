import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { Type } from 'typebox';
import { definePlugin } from '../kernel/plugin/define.js';
import { createServiceRef } from '../kernel/plugin/services.js';
import { createKernel, type Kernel } from '../kernel/kernel.js';
import { loadConfig } from '../kernel/config/load.js';
import type { PluginContext } from '../kernel/index.js';
import { echoProvider, request, testKernel, testSurface } from './helpers/kernel.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const kernels: Kernel[] = [];
const dirs: string[] = [];
const track = (k: Kernel) => (kernels.push(k), k);
afterEach(async () => {
  await Promise.all(kernels.splice(0).map((k) => k.stop()));
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'lynkr-kernel-'));
  dirs.push(d);
  return d;
};

const plugin = (name: string, setup: PluginContext extends infer C ? (ctx: C) => unknown : never, dependsOn: string[] = []) =>
  definePlugin({ name, version: '1.0.0', kernel: '^1', dependsOn, setup: setup as never })();

describe('lifecycle', () => {
  it('sets up in dependency order, readies in order after all setups, and closes in reverse', async () => {
    const events: string[] = [];
    const life = (name: string, deps: string[] = []) =>
      plugin(
        name,
        () => {
          events.push(`setup ${name}`);
          return { ready: () => void events.push(`ready ${name}`), close: async () => void events.push(`close ${name}`) };
        },
        deps,
      );
    const k = track(await testKernel({ plugins: [life('a', ['c']), life('b'), life('c')], server: { port: 0 } }));
    expect(k.plugins.map((p) => p.name)).toEqual(['c', 'a', 'b']);
    expect(events).toEqual(['setup c', 'setup a', 'setup b']);
    expect((await k.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
    await k.start();
    expect(events.slice(3)).toEqual(['ready c', 'ready a', 'ready b']);
    expect((await k.inject({ method: 'GET', url: '/health/ready' })).json()).toEqual({ status: 'ready', plugins: ['c', 'a', 'b'] });
    await k.stop();
    expect(events.slice(6)).toEqual(['close b', 'close a', 'close c']);
  });

  it('refuses to boot when a setup throws, naming the plugin, and closes what was set up', async () => {
    const closed: string[] = [];
    const error = await testKernel({
      plugins: [
        plugin('first', () => ({ close: () => void closed.push('first') })),
        plugin('explodes', () => {
          throw new Error('cannot read key file');
        }),
      ],
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'LYNKR_ERR_PLUGIN_SETUP', message: 'plugin "explodes" failed in setup: cannot read key file' });
    expect(closed).toEqual(['first']);
  });

  it('refuses an unknown hook stage at setup', async () => {
    const error = await testKernel({ plugins: [plugin('typo', (ctx) => ctx.hooks.on('preroute' as 'preRoute', () => undefined))] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ message: expect.stringContaining('plugin "typo" failed in setup: plugin "typo" hooks unknown stage "preroute"') });
  });
});

describe('services', () => {
  const counterRef = createServiceRef<{ next(): number }>({ id: 'counter.service' });

  it('lets a plugin resolve what another provides, once', async () => {
    let made = 0;
    let seen: number[] = [];
    const k = track(
      await testKernel({
        plugins: [
          plugin('consumer', (ctx) => {
            const counter = ctx.services.resolve(counterRef);
            seen = [counter.next(), counter.next(), ctx.services.resolve(counterRef).next()];
          }, ['counter']),
          plugin('counter', (ctx) => {
            let n = 0;
            ctx.services.provide(counterRef, () => (made++, { next: () => ++n }));
          }),
        ],
      }),
    );
    expect(k.plugins.map((p) => p.name)).toEqual(['counter', 'consumer']);
    expect(seen).toEqual([1, 2, 3]);
    expect(made).toBe(1);
  });

  it('says which service is missing and who needs it', async () => {
    const error = await testKernel({ plugins: [plugin('consumer', (ctx) => ctx.services.resolve(counterRef))] }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'LYNKR_ERR_SERVICE_NOT_FOUND',
      message: expect.stringContaining('plugin "consumer" needs service "counter.service", which no enabled plugin provides'),
    });
  });

  it('refuses two providers of one service, and two plugins on one route', async () => {
    const provide = (name: string) => plugin(name, (ctx) => ctx.services.provide(counterRef, () => ({ next: () => 0 })));
    await expect(testKernel({ plugins: [provide('one'), provide('two')] })).rejects.toMatchObject({ code: 'LYNKR_ERR_SERVICE_DUPLICATE' });
    const route = (name: string) => plugin(name, (ctx) => ctx.http.route({ method: 'GET', url: '/same', handler: () => 'x' }));
    await expect(testKernel({ plugins: [route('one'), route('two')] })).rejects.toMatchObject({
      code: 'LYNKR_ERR_ROUTE_DUPLICATE',
      message: expect.stringContaining('plugin "two" registers GET /same'),
    });
  });
});

describe('store', () => {
  it('gives each plugin its own namespace, on SQLite by default', async () => {
    const dir = tempDir();
    const stores: Record<string, PluginContext['store']> = {};
    const grab = (name: string) => plugin(name, (ctx) => void (stores[name] = ctx.store));
    const config = await loadConfig({ cwd: dir, env: {} });
    const k = track(await createKernel({ ...config, plugins: [{ entry: grab('one'), from: dir }, { entry: grab('two'), from: dir }] }, { logger: pino({ level: 'silent' }) }));
    await stores.one!.set('k', 'from one');
    await stores.two!.set('k', 'from two');
    expect(await stores.one!.get('k')).toBe('from one');
    expect(await stores.two!.get('k')).toBe('from two');
    expect(existsSync(path.join(dir, '.lynkr', 'state.sqlite'))).toBe(true);
    await k.stop();
  });
});

describe('teams', () => {
  const tagger = definePlugin({
    name: 'tagger',
    version: '1.0.0',
    kernel: '^1',
    options: Type.Object({ tag: Type.String({ default: 'default' }) }),
    setup(ctx, options) {
      ctx.hooks.on('postResponse', (ev) =>
        ev.type === 'content_block_delta' && ev.delta.type === 'text_delta' ? { ...ev, delta: { ...ev.delta, text: `${ev.delta.text} [${options.tag}]` } } : undefined,
      );
    },
  });
  const shouter = plugin('shouter', (ctx) =>
    ctx.hooks.on('postResponse', (ev) => (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta' ? { ...ev, delta: { ...ev.delta, text: ev.delta.text.toUpperCase() } } : undefined)),
  );

  const boot = async () =>
    track(
      await testKernel({
        plugins: [testSurface(), tagger(), shouter, echoProvider()],
        keys: ['default-key-0001'],
        teams: {
          research: { keys: ['research-key-001'], disable: ['shouter'], options: { tagger: { tag: 'research' } } },
          ops: { keys: ['ops-key-0000001'] },
        },
      }),
    );

  const text = async (k: Kernel, headers: Record<string, string>) => {
    const res = await k.inject({ method: 'POST', url: '/test/messages', payload: request('hi'), headers });
    return { status: res.statusCode, body: res.json() };
  };

  it('selects the team by the caller key: its disables and its own options apply', async () => {
    const k = await boot();
    expect(await text(k, { 'x-api-key': 'default-key-0001' })).toMatchObject({ status: 200, body: { team: null, message: { content: [{ text: 'ECHO: HI [DEFAULT]' }] } } });
    expect(await text(k, { authorization: 'Bearer research-key-001' })).toMatchObject({ status: 200, body: { team: 'research', message: { content: [{ text: 'echo: hi [research]' }] } } });
    expect(await text(k, { 'x-lynkr-key': 'ops-key-0000001', authorization: 'Bearer sk-ant-oat-someone-elses' })).toMatchObject({
      body: { team: 'ops', message: { content: [{ text: 'ECHO: HI [DEFAULT]' }] } },
    });
    expect(k.stages('research').postResponse).toEqual(['tagger']);
    expect(k.plugins.find((p) => p.name === 'tagger')!.teamVariants).toEqual(['research']);
  });

  it('refuses a request without a key or with an unknown one', async () => {
    const k = await boot();
    expect(await text(k, {})).toMatchObject({ status: 401, body: { error: { code: 'LYNKR_ERR_AUTH_MISSING_KEY', type: 'authentication_error' } } });
    expect(await text(k, { 'x-api-key': 'guess-guess-guess' })).toMatchObject({ status: 401, body: { error: { code: 'LYNKR_ERR_AUTH_INVALID_KEY' } } });
    expect((await k.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('validates a team option override against the plugin schema', async () => {
    await expect(
      testKernel({ plugins: [tagger()], teams: { research: { options: { tagger: { tag: 42 } } } } }),
    ).rejects.toMatchObject({ code: 'LYNKR_ERR_PLUGIN_OPTIONS', message: 'plugin "tagger": teams.research.options["tagger"].tag: Expected string' });
    await expect(testKernel({ plugins: [tagger()], teams: { research: { disable: ['ghost'] } } })).rejects.toMatchObject({
      message: 'teams.research: plugin "ghost" is not enabled in the config',
    });
  });
});

describe('disable', () => {
  it('turns a plugin off, and a plugin that needs it refuses to boot naming it', async () => {
    const k = track(await testKernel({ plugins: [testSurface(), echoProvider(), plugin('extra', (ctx) => ctx.hooks.on('preRoute', () => undefined))], disable: ['extra'] }));
    expect(k.plugins.map((p) => p.name)).toEqual(['test-surface', 'echo-provider']);
    await expect(
      testKernel({ plugins: [echoProvider(), plugin('needs-echo', () => undefined, ['echo-provider'])], disable: ['echo-provider'] }),
    ).rejects.toMatchObject({ message: 'plugin "needs-echo" depends on "echo-provider", which is disabled: needs-echo → echo-provider' });
  });
});

describe('disable, for built-ins', () => {
  it('turns a built-in plugin off by name', async () => {
    const on = track(await testKernel({ plugins: [echoProvider(), ['router-static', { target: 'echo:m' }]] }));
    expect(on.plugins.map((p) => [p.name, p.source])).toEqual([['echo-provider', 'inline'], ['router-static', 'builtin']]);
    const off = track(await testKernel({ plugins: [echoProvider(), ['router-static', { target: 'echo:m' }]], disable: ['router-static'] }));
    expect(off.plugins.map((p) => p.name)).toEqual(['echo-provider']);
    expect(off.stages().route).toEqual(['echo-provider']);
  });
});

describe('logs', () => {
  it('never carry keys, tokens or authorization headers', async () => {
    const lines: string[] = [];
    const { createLogger } = await import('../kernel/log/index.js');
    const log = createLogger({ level: 'debug', cwd: process.cwd(), stream: { write: (l: string) => void lines.push(l) } as unknown as NodeJS.WritableStream });
    log.info({ headers: { authorization: 'Bearer sk-live-123456', 'x-api-key': 'sk-ant-abcdef' } }, 'incoming');
    log.info({ provider: { apiKey: 'sk-openai-999', baseUrl: 'https://api.openai.com/v1' } }, 'provider');
    log.info({ req: { headers: { 'x-lynkr-key': 'lk-team-000001', cookie: 'session=abc' } } }, 'request');
    const text = lines.join('');
    for (const secret of ['sk-live-123456', 'sk-ant-abcdef', 'sk-openai-999', 'lk-team-000001', 'session=abc']) expect(text).not.toContain(secret);
    expect(text).toContain('https://api.openai.com/v1');
  });
});

describe('a third-party plugin installed next to the config', () => {
  it('is loaded by name from node_modules, checked and run', async () => {
    const project = tempDir();
    mkdirSync(path.join(project, 'node_modules'), { recursive: true });
    cpSync(path.join(here, 'fixtures', 'lynkr-plugin-hello'), path.join(project, 'node_modules', 'lynkr-plugin-hello'), { recursive: true });
    writeFileSync(
      path.join(project, 'lynkr.config.ts'),
      `import { defineConfig } from 'lynkr';\nexport default defineConfig({ storage: 'memory://', plugins: [['hello', { greeting: 'hey from the fixture' }]] });\n`,
    );
    const config = await loadConfig({ cwd: project, env: {} });
    const k = track(await createKernel({ ...config, plugins: [{ entry: testSurface(), from: project }, ...config.plugins, { entry: echoProvider(), from: project }] }, { logger: pino({ level: 'silent' }) }));
    expect(k.plugins.find((p) => p.name === 'hello')).toMatchObject({ version: '1.2.3', source: 'lynkr-plugin-hello@1.2.3' });
    expect((await k.inject({ method: 'GET', url: '/hello' })).json()).toEqual({ greeting: 'hey from the fixture' });
    const res = await k.inject({ method: 'POST', url: '/test/messages', payload: request('hello') });
    expect(res.json().message.content).toEqual([{ type: 'text', text: 'hey from the fixture' }]);
    expect(res.headers['x-lynkr-provider']).toBe('lynkr');
  });

  it('refuses an unknown name, and a package whose plugin has another name', async () => {
    const project = tempDir();
    await expect(loadConfig({ cwd: project, env: {} }).then((c) => createKernel({ ...c, storage: 'memory://', plugins: [{ entry: 'nonexistent', from: project }] }))).rejects.toMatchObject({
      code: 'LYNKR_ERR_PLUGIN_NOT_FOUND',
      message: `plugins[0]: unknown plugin "nonexistent": not built in, and no package lynkr-plugin-nonexistent installed in ${project} or above (npm install lynkr-plugin-nonexistent)`,
    });
    const pkg = path.join(project, 'node_modules', 'lynkr-plugin-renamed');
    cpSync(path.join(here, 'fixtures', 'lynkr-plugin-hello'), pkg, { recursive: true });
    await expect(createKernel({ ...(await loadConfig({ cwd: project, env: {} })), storage: 'memory://', plugins: [{ entry: 'renamed', from: project }] })).rejects.toMatchObject({
      code: 'LYNKR_ERR_PLUGIN_INVALID',
      message: 'plugins[0]: package lynkr-plugin-renamed defines plugin "hello", expected "renamed" (the name must equal the package suffix)',
    });
  });
});

describe('HTTP shell', () => {
  it('tags every answer with a request id, keeping a sane incoming one', async () => {
    const k = track(await testKernel({ plugins: [testSurface(), echoProvider()] }));
    const own = await k.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'trace-123' } });
    expect(own.headers['x-request-id']).toBe('trace-123');
    const generated = await k.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers['x-request-id']).toMatch(/^req_[A-Za-z0-9]{24}$/);
  });

  it('answers unknown routes and bad bodies with a typed error', async () => {
    const k = track(await testKernel({ plugins: [testSurface(), echoProvider()] }));
    const missing = await k.inject({ method: 'GET', url: '/v2/nothing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error', code: 'LYNKR_ERR_REQUEST_NOT_FOUND', message: 'no route for GET /v2/nothing' } });
    const bad = await k.inject({ method: 'POST', url: '/test/messages', payload: '{"model":', headers: { 'content-type': 'application/json' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('LYNKR_ERR_REQUEST_INVALID');
  });

  it('refuses a port in use with a clear error', async () => {
    const first = track(await testKernel({ server: { port: 0 } }));
    const { port } = await first.start();
    const second = await testKernel({ server: { port } });
    await expect(second.start()).rejects.toMatchObject({ code: 'LYNKR_ERR_SERVER_PORT_IN_USE', message: expect.stringContaining(`port ${port} on 127.0.0.1 is in use`) });
  });

  it('lets an in-flight stream finish on shutdown while refusing new requests', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const k = await testKernel({
      server: { port: 0, shutdownGraceMs: 5000 },
      plugins: [
        plugin('slow', (ctx) =>
          ctx.http.route({
            method: 'GET',
            url: '/slow',
            async handler(_req, reply) {
              reply.raw.writeHead(200, { 'content-type': 'text/plain' });
              reply.raw.write('first ');
              await gate;
              reply.raw.end('last');
              return reply;
            },
          }),
        ),
      ],
    });
    const { port } = await k.start();
    const body = new Promise<string>((resolve, reject) => {
      httpRequest({ port, path: '/slow', agent: false }, (res) => {
        let text = '';
        res.on('data', (c) => {
          text += String(c);
          if (text === 'first ') void stopping.resolveWhenReady();
        });
        res.on('end', () => resolve(text));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
    const stopping = {
      done: undefined as Promise<void> | undefined,
      resolveWhenReady() {
        this.done = k.stop();
        setImmediate(release);
      },
    };
    expect(await body).toBe('first last');
    await stopping.done;
    const after = await k.inject({ method: 'GET', url: '/health' }).catch((e: unknown) => e);
    expect(after).toBeInstanceOf(Error);
  });
});
