/**
 * Graceful shutdown with streams open: kernel.stop() stops accepting at
 * once (new connections refused, or 503 on a connection already open), lets
 * open streams finish within server.shutdownGraceMs and aborts the rest when
 * it ends, runs the responseSent observers of what finished, closes the
 * plugins in reverse order, then closes the store with the state written.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import Keyv from 'keyv';
import { KeyvSqlite } from '@keyv/sqlite';
import type { Kernel } from '../../kernel/kernel.js';
import { definePlugin, type PluginInstance } from '../../kernel/plugin/define.js';
import { messageToEvents } from '../../kernel/ir/stream.js';
import type { MessagesRequest, StreamEvent } from '../../kernel/ir/types.js';
import type { Exchange } from '../../kernel/pipeline/types.js';
import { answer, testKernel } from '../helpers/kernel.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
});

/** What happened, in order, across the plugins. */
type Journal = string[];

/** A provider whose answers hold after their first event until the test opens the gate (or the exchange is aborted). */
function gatedProvider(journal: Journal) {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let started: () => void = () => undefined;
  const running = new Promise<void>((resolve) => (started = resolve));
  const plugin = definePlugin({
    name: 'gated',
    version: '1.0.0',
    kernel: '^1',
    setup(ctx) {
      ctx.providers.register({ id: 'gated', wire: 'test', invoke: async ({ request, exchange }) => ({ events: held(request, exchange, gate, started, journal) }) });
      ctx.hooks.on('route', (d) => ({ ...d, provider: 'gated' }));
      return { close: () => void journal.push('close gated') };
    },
  })();
  return { plugin, open: () => open(), running };
}

async function* held(request: MessagesRequest, ex: Exchange, gate: Promise<void>, started: () => void, journal: Journal): AsyncGenerator<StreamEvent> {
  const events = messageToEvents(answer(request, 'all of it'));
  yield events[0]!;
  started();
  const aborted = new Promise<void>((resolve) =>
    ex.onAbort((reason) => {
      journal.push(`aborted: ${(reason as { code?: string }).code}`);
      resolve();
    }),
  );
  await Promise.race([gate, aborted]);
  if (ex.aborted) return;
  yield* events.slice(1);
}

/** A plugin that records its close, and (as `writer`) writes each exchange's outcome to its store. */
const recorder = (name: string, journal: Journal, write = false): PluginInstance =>
  definePlugin({
    name,
    version: '1.0.0',
    kernel: '^1',
    setup(ctx) {
      if (write) {
        ctx.hooks.on('responseSent', async (summary) => {
          await ctx.store.set('outcome', summary.error?.code ?? summary.stopReason);
          journal.push(`responseSent ${summary.error?.code ?? summary.stopReason}`);
        });
      }
      return {
        close: async () => {
          journal.push(`close ${name}`);
          // The store is still open while plugins close: a plugin may flush into it.
          if (write) await ctx.store.set('closed', true);
        },
      };
    },
  })();

async function boot(graceMs: number, journal: Journal) {
  const dir = mkdtempSync(path.join(tmpdir(), 'lynkr-shutdown-'));
  dirs.push(dir);
  const file = path.join(dir, 'state.sqlite');
  const provider = gatedProvider(journal);
  kernel = await testKernel({
    server: { port: 0, shutdownGraceMs: graceMs },
    storage: `sqlite://${file}`,
    plugins: ['api-anthropic', recorder('first', journal), provider.plugin, recorder('writer', journal, true), recorder('last', journal)],
  });
  const { url } = await kernel.start();
  return { url, file, provider };
}

/** Open a streamed answer on a keep-alive connection and wait until its first event has arrived. */
async function openStream(url: string) {
  const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 600_000 });
  const body = JSON.stringify({ model: 'm', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'hi' }] });
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request(`${url}/v1/messages`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, resolve);
    req.on('error', reject);
    req.end(body);
  });
  expect(res.statusCode).toBe(200);
  const socketClosed = once(res.socket, 'close').then(() => agent.destroy());
  res.setEncoding('utf8');
  const [first] = (await once(res, 'data')) as [string];
  let text = first;
  const rest = new Promise<{ text: string; cut: boolean }>((resolve) => {
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => resolve({ text, cut: false }));
    res.on('error', () => resolve({ text, cut: true }));
    res.on('close', () => resolve({ text, cut: !res.complete }));
  });
  return { first, rest, socketClosed };
}

/** A new request while stopping: refused at the socket, or answered 503. */
async function newRequest(url: string): Promise<string> {
  try {
    const res = await fetch(`${url}/health`, { headers: { connection: 'close' } });
    return `status ${res.status}`;
  } catch (error) {
    return `refused ${((error as { cause?: { code?: string } }).cause?.code ?? 'connection')}`;
  }
}

async function stored(file: string): Promise<Record<string, unknown>> {
  const store = new Keyv({ store: new KeyvSqlite({ uri: `sqlite://${file}` }), namespace: 'writer' });
  try {
    return { outcome: await store.get('outcome'), closed: await store.get('closed') };
  } finally {
    await store.disconnect();
  }
}

describe('kernel.stop() with streams open', () => {
  it('stops accepting, lets the open stream finish within the grace period, then closes plugins in reverse and the store', async () => {
    const journal: Journal = [];
    const { url, file, provider } = await boot(60_000, journal);
    const stream = await openStream(url);
    await provider.running;
    expect(stream.first).toContain('event: message_start');

    const stopping = kernel!.stop();
    expect(await newRequest(url)).toMatch(/^(refused|status 503)/);
    expect(journal).toEqual([]);

    provider.open();
    const { text, cut } = await stream.rest;
    expect(cut).toBe(false);
    expect(text).toContain('all of it');
    expect(text).toContain('event: message_stop');
    // The finished answer's keep-alive connection is ended by the server, not left to hold stop() until the grace period ends.
    await stream.socketClosed;
    await stopping;

    // The finished exchange's observer ran before any plugin closed; plugins closed in reverse order.
    expect(journal).toEqual(['responseSent end_turn', 'close last', 'close writer', 'close gated', 'close first']);
    expect(await stored(file)).toEqual({ outcome: 'end_turn', closed: true });
    expect(await newRequest(url)).toMatch(/^refused/);
  });

  it('aborts a stream still open when the grace period ends, and still closes everything', async () => {
    const journal: Journal = [];
    const { url, file, provider } = await boot(100, journal);
    const stream = await openStream(url);
    await provider.running;

    await kernel!.stop();
    const { text } = await stream.rest;
    expect(text).not.toContain('message_stop');
    expect(journal[0]).toBe('aborted: LYNKR_ERR_SHUTTING_DOWN');
    expect(journal.slice(-4)).toEqual(['close last', 'close writer', 'close gated', 'close first']);
    // The aborted exchange was seen by its observer too, before the plugins closed.
    expect(journal.some((j) => j.startsWith('responseSent LYNKR_ERR_'))).toBe(true);
    expect(journal.findIndex((j) => j.startsWith('responseSent'))).toBeLessThan(journal.indexOf('close last'));
    expect((await stored(file)).closed).toBe(true);
  });

});
