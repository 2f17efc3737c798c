/**
 * The fault table against an OpenAI Chat Completions upstream behind
 * provider-openai-compatible. See table.ts for the rows.
 */
import { faultTable } from './suite.js';
import { openaiChatWire } from './wires.js';

faultTable(openaiChatWire);
