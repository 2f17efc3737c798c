/**
 * The fault table against an Anthropic Messages upstream behind
 * provider-anthropic. See table.ts for the rows.
 */
import { faultTable } from './suite.js';
import { anthropicWire } from './wires.js';

faultTable(anthropicWire);
