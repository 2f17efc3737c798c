import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeProbe, isLoopback, probeModels, probeUrl } from './probe.js';

let server: Server;
let base: string;
const asked: string[] = [];
let stall: (() => void)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    switch (req.url) {
      case '/api/tags':
        res.end(JSON.stringify({ models: [{ name: 'llama3.2:latest' }, { name: 'qwen2.5-coder:7b' }, { nope: 1 }] }));
        break;
      case '/v1/models':
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'qwen2.5-coder-7b-instruct-q4_k_m.gguf', object: 'model' }] }));
        break;
      case '/redirect/v1/models':
        res.writeHead(302, { location: 'http://example.com/v1/models' }).end();
        break;
      case '/html/api/tags':
        res.end('{"hello":"world"}');
        break;
      default:
        // Never answers: the probe's timeout must end it.
        stall.push(() => res.end());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  stall.forEach((end) => end());
  stall = [];
  await new Promise((resolve) => server.close(resolve));
});

describe('probeModels', () => {
  it("reads Ollama's /api/tags", async () => {
    const result = await probeModels(base, 'ollama');
    expect(result).toEqual({ url: `${base}/api/tags`, ok: true, models: ['llama3.2:latest', 'qwen2.5-coder:7b'] });
    expect(describeProbe('Ollama', base, result)).toBe(`Ollama at ${base}: 2 models (llama3.2:latest, qwen2.5-coder:7b)`);
  });

  it('reads the OpenAI-style /v1/models of llama.cpp and LM Studio, with or without /v1 in the endpoint', async () => {
    for (const endpoint of [base, `${base}/v1`, `${base}/v1/`]) {
      const result = await probeModels(endpoint, 'openai');
      expect(result).toEqual({ url: `${base}/v1/models`, ok: true, models: ['qwen2.5-coder-7b-instruct-q4_k_m.gguf'] });
    }
  });

  it('reports a server that does not answer, a redirect and an answer that is no model list', async () => {
    expect(await probeModels(`${base}/slow`, 'ollama', { timeoutMs: 200 })).toMatchObject({ ok: false, problem: 'no answer in time' });
    expect(await probeModels(`${base}/redirect`, 'openai')).toMatchObject({ ok: false, problem: 'HTTP 302' });
    expect(await probeModels(`${base}/html`, 'ollama')).toMatchObject({ ok: false, problem: 'answered, but not with a model list' });
  });

  it('reports a port nothing listens on', async () => {
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(spare.address() as AddressInfo).port}`;
    await new Promise((resolve) => spare.close(resolve));
    const result = await probeModels(url, 'ollama');
    expect(result).toMatchObject({ ok: false, problem: 'not running' });
    expect(describeProbe('Ollama', url, result)).toBe(`Ollama at ${url}: not running`);
  });

  it('never leaves the machine', async () => {
    const before = asked.length;
    expect(await probeModels('http://192.0.2.1:11434', 'ollama')).toEqual({ url: 'http://192.0.2.1:11434/api/tags', ok: false, models: [], problem: 'not probed: not on this machine' });
    expect(asked.length).toBe(before);
    expect(isLoopback('http://localhost:1234/v1/models')).toBe(true);
    expect(isLoopback('http://127.3.2.1:1234')).toBe(true);
    expect(isLoopback('http://[::1]:1234')).toBe(true);
    expect(isLoopback('http://localhost.example.com:1234')).toBe(false);
    expect(isLoopback('http://127.0.0.1.nip.io')).toBe(false);
    expect(isLoopback('not a url')).toBe(false);
  });

  it('builds the probe URLs the wizard uses by default', () => {
    expect(probeUrl('http://127.0.0.1:11434', 'ollama')).toBe('http://127.0.0.1:11434/api/tags');
    expect(probeUrl('http://127.0.0.1:8080', 'openai')).toBe('http://127.0.0.1:8080/v1/models');
    expect(probeUrl('http://127.0.0.1:1234/v1', 'openai')).toBe('http://127.0.0.1:1234/v1/models');
  });
});
