export type * from './types.js';
export * from './schema.js';
export * from './sse.js';
export * from './stream.js';
export { takeVerbatim, type VerbatimAnswer, type VerbatimStream, type VerbatimWhole } from './verbatim.js';
export { newId, randomToken } from './ids.js';
export { parseToolInput } from './tool-input.js';
export { estimateRequestSize, type RequestSize } from './size.js';
