export * from './server.js';
export * from './openai-chat.js';
export * from './anthropic.js';
export * from './sse.js';
