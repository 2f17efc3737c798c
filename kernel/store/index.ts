import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Keyv from 'keyv';
import type * as SqliteModule from '@keyv/sqlite';
import type * as RedisModule from '@keyv/redis';
import { LynkrError } from '../errors.js';

// Loaded on first use, synchronously: a config on memory:// never loads the SQLite addon or the Redis client.
const require = createRequire(import.meta.url);

/**
 * Opens one keyv namespace per plugin on the configured backend, lazily: a
 * plugin that never touches `ctx.store` costs no connection and no file.
 * Each namespace gets its own adapter because keyv sets the namespace on the
 * adapter it wraps.
 */
export class StoreFactory {
  readonly #opened: Keyv[] = [];

  constructor(
    private readonly uri: string,
    private readonly cwd: string,
  ) {}

  /** The backend's scheme, for logs: `sqlite`, `redis`, `memory`. */
  get kind(): string {
    return this.uri.slice(0, this.uri.indexOf(':'));
  }

  open(namespace: string): Keyv {
    const store = this.#adapter();
    const keyv = new Keyv(store ? { store, namespace } : { namespace });
    keyv.on('error', () => {
      // Surfaced to the caller as a rejected promise; keyv would otherwise print it.
    });
    this.#opened.push(keyv);
    return keyv;
  }

  #adapter(): Keyv['store'] | undefined {
    const { uri } = this;
    try {
      if (uri.startsWith('memory://')) return undefined;
      if (uri.startsWith('sqlite://')) {
        const file = path.resolve(this.cwd, uri.slice('sqlite://'.length));
        mkdirSync(path.dirname(file), { recursive: true });
        const { KeyvSqlite } = require('@keyv/sqlite') as typeof SqliteModule;
        return new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 5000 });
      }
      const { default: KeyvRedis } = require('@keyv/redis') as typeof RedisModule;
      return new KeyvRedis(uri) as unknown as Keyv['store'];
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new LynkrError('LYNKR_ERR_STORAGE', `cannot open storage ${redact(uri)}: ${message}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#opened.map((k) => k.disconnect()));
    this.#opened.length = 0;
  }
}

/** `redis://user:secret@host` → `redis://user:***@host`. */
export function redact(uri: string): string {
  return uri.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
