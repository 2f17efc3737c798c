export type * from './types.js';
export * from './schema.js';
export * from './sse.js';
export * from './stream.js';
