/**
 * Tools between the Responses form and the IR. The IR knows only flat
 * function tools, so `namespace` tools are flattened and `custom` (free-form
 * input) tools become functions of one string parameter; a
 * {@link ResponsesToolNames} map remembers each one's own form so that calls
 * go back to the client as it declared them.
 */
import type { ChatTool } from '../openai-chat/types.js';
import { ChatRequestError } from '../openai-chat/request.js';
import { customToolSchema, type CustomToolFormat } from '../openai-chat/custom-tools.js';
import type { Tool } from '../../ir/types.js';
import type { ResponsesCustomTool, ResponsesFunctionTool, ResponsesTool } from './types.js';

/** What a flat IR tool name stands for on the client's side. @public */
export interface ResponsesToolRef {
  /** The name inside its namespace (or the name itself). */
  name: string;
  namespace?: string;
  /** A `custom` tool: its IR input is `{ input: "<the free-form text>" }`. */
  custom?: boolean;
}

/**
 * IR tool name → the client's form. Plain function tools are not in it:
 * their IR name is their own.
 * @public
 */
export type ResponsesToolNames = ReadonlyMap<string, ResponsesToolRef>;

/**
 * The IR name of a namespaced tool: `<namespace>__<name>`, the convention
 * MCP clients already use for server tools (a namespace that already ends
 * in `__`, such as Codex's `mcp__server__`, is not given a second one).
 * @public
 */
export function flatToolName(name: string, namespace?: string): string {
  if (!namespace) return name;
  return namespace.endsWith('__') ? `${namespace}${name}` : `${namespace}__${name}`;
}

/**
 * Marks an IR tool that stands for one of OpenAI's built-in tools
 * (`web_search`, `file_search`, ...): only a Responses upstream can run it,
 * and {@link toResponsesRequest} sends the original back.
 * @public
 */
export const BUILTIN_TOOL = 'openai_tool';

/** The IR form of a built-in tool; Chat upstreams drop it as they drop any typed tool. */
export function builtinToIR(tool: ResponsesTool): Tool {
  return { type: tool.type, name: tool.type, [BUILTIN_TOOL]: tool };
}

/** Whether an IR tool is one of OpenAI's built-in tools, carried by {@link builtinToIR}. @public */
export function isBuiltinTool(tool: Tool): boolean {
  return typeof tool[BUILTIN_TOOL] === 'object' && tool[BUILTIN_TOOL] !== null;
}

/** The tools of a Responses request, split by what becomes of them. */
export interface SplitTools {
  /** Function tools in Chat form, for the Chat codec to turn into IR tools. */
  functions: ChatTool[];
  /** Built-in tools, in IR form. */
  builtins: Tool[];
  names: Map<string, ResponsesToolRef>;
}

/** Split a Responses tool list; throws ChatRequestError for a tool without a name or a duplicate one. */
export function splitTools(tools: readonly ResponsesTool[]): SplitTools {
  const out: SplitTools = { functions: [], builtins: [], names: new Map() };
  const seen = new Set<string>();
  const add = (tool: ResponsesFunctionTool | ResponsesCustomTool, param: string, namespace?: string): void => {
    if (typeof tool.name !== 'string' || tool.name === '') throw new ChatRequestError(`${param}.name`, 'A function or custom tool needs a name.');
    const flat = flatToolName(tool.name, namespace);
    if (seen.has(flat)) throw new ChatRequestError(param, `Tool names must be unique: "${flat}" is given twice.`);
    seen.add(flat);
    const custom = tool.type === 'custom';
    if (custom || namespace) out.names.set(flat, { name: tool.name, ...(namespace && { namespace }), ...(custom && { custom }) });
    const description = tool.description ?? undefined;
    const parameters = custom ? customToolSchema((tool as ResponsesCustomTool).format as CustomToolFormat) : ((tool as ResponsesFunctionTool).parameters ?? undefined);
    out.functions.push({
      type: 'function',
      function: { name: flat, ...(description !== undefined && { description }), ...(parameters !== undefined && { parameters }) },
    });
  };
  tools.forEach((tool, i) => {
    const param = `tools[${i}]`;
    if (tool.type === 'function' || tool.type === 'custom') add(tool as ResponsesFunctionTool, param);
    else if (tool.type === 'namespace') {
      const ns = tool as { name?: unknown; tools?: unknown };
      if (typeof ns.name !== 'string' || ns.name === '') throw new ChatRequestError(`${param}.name`, 'A namespace tool needs a name.');
      if (!Array.isArray(ns.tools)) throw new ChatRequestError(`${param}.tools`, 'A namespace tool needs a list of tools.');
      (ns.tools as ResponsesTool[]).forEach((member, j) => {
        if (member.type !== 'function' && member.type !== 'custom') {
          throw new ChatRequestError(`${param}.tools[${j}].type`, 'A namespace holds only function and custom tools.');
        }
        add(member as ResponsesFunctionTool, `${param}.tools[${j}]`, ns.name as string);
      });
    } else out.builtins.push(builtinToIR(tool));
  });
  return out;
}

