/**
 * Where a provider's answer turns from "not started" to "started": the
 * first event.
 */

/**
 * Wait for the first item of `source`, then hand back an iterable that
 * yields it and the rest. A provider returns this from `invoke`, so that
 * whatever fails before the first event (a first-byte timeout after the
 * headers, an error frame at the start) rejects `invoke`, where a retry or
 * fallback can still act and the client still gets a real HTTP status;
 * after it, errors come out of the iterator. A hand-written iterator: no
 * extra generator step per event.
 * @public
 */
export async function prefetch<T>(source: AsyncIterable<T>): Promise<AsyncIterableIterator<T>> {
  const it = source[Symbol.asyncIterator]();
  let first: IteratorResult<T> | undefined = await it.next();
  const done = (): Promise<IteratorResult<T>> => Promise.resolve({ done: true, value: undefined });
  const rest: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      if (!first) return it.next();
      const step = first;
      first = undefined;
      return Promise.resolve(step);
    },
    return() {
      first = undefined;
      return it.return ? it.return() : done();
    },
  };
  return rest;
}
