import { describe, expect, it } from '@jest/globals';
import { fromChatRequest } from './request.js';
import { liftCustomTools, lowerCustomCalls, lowerCustomCallsStream } from './custom-tools.js';
import type { ChatChunk, ChatRequest, ChatResponse } from './types.js';

const patchTool = { type: 'custom', custom: { name: 'apply_patch', description: 'Edit files.', format: { type: 'grammar', syntax: 'lark', definition: 'start: "*** Begin Patch"' } } };
const bash = { type: 'function', function: { name: 'bash', parameters: { type: 'object', properties: { command: { type: 'string' } } } } };

describe('custom tools in Chat Completions', () => {
  it('lifts custom tools, calls and choice into functions of one string, and leaves other requests alone', () => {
    const req = {
      model: 'm',
      messages: [
        { role: 'user', content: 'edit it' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'custom', custom: { name: 'apply_patch', input: '*** Begin Patch\n' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'done' },
      ],
      tools: [bash, patchTool],
      tool_choice: { type: 'custom', custom: { name: 'apply_patch' } },
    } as unknown as ChatRequest;
    const { request, custom } = liftCustomTools(req);
    expect([...custom]).toEqual(['apply_patch']);
    const ir = fromChatRequest(request);
    expect(ir.tools?.[1]).toMatchObject({ name: 'apply_patch', description: 'Edit files.', input_schema: { properties: { input: { type: 'string', description: expect.stringContaining('lark grammar') } }, required: ['input'] } });
    expect(ir.messages[1]!.content).toEqual([{ type: 'tool_use', id: 'c1', name: 'apply_patch', input: { input: '*** Begin Patch\n' } }]);
    expect(ir.tool_choice).toEqual({ type: 'tool', name: 'apply_patch' });
    const plain = { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [bash] } as unknown as ChatRequest;
    expect(liftCustomTools(plain).request).toBe(plain);
  });

  it('lowers calls to custom tools back to the custom form, whole and streamed', async () => {
    const custom = new Set(['apply_patch']);
    const res = {
      id: 'x', object: 'chat.completion', created: 1, model: 'm',
      choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'apply_patch', arguments: '{"input":"*** Begin Patch\\n"}' } },
        { id: 'c2', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } },
      ] } }],
    } as unknown as ChatResponse;
    expect(lowerCustomCalls(res, custom).choices[0]!.message.tool_calls).toEqual([
      { id: 'c1', type: 'custom', custom: { name: 'apply_patch', input: '*** Begin Patch\n' } },
      { id: 'c2', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } },
    ]);

    const chunk = (delta: object, finish: string | null = null): ChatChunk => ({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] }) as ChatChunk;
    async function* source() {
      yield chunk({ role: 'assistant' });
      yield chunk({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'apply_patch', arguments: '{"input":"*** Be' } }] });
      yield chunk({ tool_calls: [{ index: 1, id: 'c2', type: 'function', function: { name: 'bash', arguments: '{"command":' } }] });
      yield chunk({ tool_calls: [{ index: 0, function: { arguments: 'gin Patch\\n"}' } }] });
      yield chunk({ tool_calls: [{ index: 1, function: { arguments: '"ls"}' } }] });
      yield chunk({}, 'tool_calls');
      yield { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } } as ChatChunk;
    }
    const out: ChatChunk[] = [];
    for await (const c of lowerCustomCallsStream(source(), custom)) out.push(c);
    expect(out.map((c) => c.choices[0]?.delta.tool_calls ?? c.choices[0]?.finish_reason ?? (c.usage ? 'usage' : 'role'))).toEqual([
      'role',
      [{ index: 1, id: 'c2', type: 'function', function: { name: 'bash', arguments: '{"command":' } }],
      [{ index: 1, function: { arguments: '"ls"}' } }],
      [{ index: 0, id: 'c1', type: 'custom', custom: { name: 'apply_patch', input: '*** Begin Patch\n' } }],
      'tool_calls',
      'usage',
    ]);
  });
});
