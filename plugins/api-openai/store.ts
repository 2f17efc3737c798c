/**
 * Stored responses, for `previous_response_id`. Each stored response keeps
 * the whole conversation up to and including its own output, as Responses
 * input items, so that a continuation costs one read whatever its length.
 * Entries expire after a TTL; a conversation larger than the size bound is
 * not kept, and a later continuation of it says so.
 */
import type Keyv from 'keyv';
import { LynkrError, type ResponsesInputItem, type ResponsesOutputItem } from '../../kernel/index.js';
import { invalidParam } from './errors.js';

/** What is kept per response id. */
type Entry = { items: ResponsesInputItem[] } | { tooLarge: number };

/** @internal */
export interface ResponseStoreOptions {
  ttlMs: number;
  maxBytes: number;
}

/** The stored conversations, in the plugin's keyv namespace (SQLite, Redis or memory, as configured). */
export class ResponseStore {
  readonly #keyv: Keyv;
  readonly #opts: ResponseStoreOptions;

  constructor(keyv: Keyv, opts: ResponseStoreOptions) {
    this.#keyv = keyv;
    this.#opts = opts;
  }

  /**
   * The conversation a response ended, for a request that continues it; a
   * 400 naming `previous_response_id` when it is unknown, expired or was
   * too large to keep.
   */
  async history(id: string): Promise<ResponsesInputItem[]> {
    let entry: Entry | undefined;
    try {
      entry = (await this.#keyv.get(id)) as Entry | undefined;
    } catch (error) {
      throw new LynkrError('LYNKR_ERR_STORAGE', `cannot read stored response "${id}": ${(error as Error).message}`, { cause: error });
    }
    if (!entry) {
      throw invalidParam('previous_response_id', `Previous response with id '${id}' not found: it was never stored (store: false), has expired, or was stored by another Lynkr.`);
    }
    if ('tooLarge' in entry) {
      throw invalidParam(
        'previous_response_id',
        `Previous response with id '${id}' was not stored: its conversation (${entry.tooLarge} bytes) is larger than the storeMaxBytes limit; send the whole conversation as input instead.`,
      );
    }
    return entry.items;
  }

  /**
   * Keep a response: the conversation it was given (`input`, earlier turns
   * included) and its output. Resolves to false when the conversation is
   * over the size bound and only a marker was kept.
   */
  async save(id: string, input: readonly ResponsesInputItem[], output: readonly ResponsesOutputItem[]): Promise<boolean> {
    const items = [...input, ...output] as ResponsesInputItem[];
    // keyv serialises the entry again; measuring it here is what lets the bound hold before anything is written.
    const bytes = Buffer.byteLength(JSON.stringify(items));
    const fits = bytes <= this.#opts.maxBytes;
    const entry: Entry = fits ? { items } : { tooLarge: bytes };
    try {
      await this.#keyv.set(id, entry, this.#opts.ttlMs);
    } catch (error) {
      throw new LynkrError('LYNKR_ERR_STORAGE', `cannot store response "${id}": ${(error as Error).message}`, { cause: error });
    }
    return fits;
  }
}
