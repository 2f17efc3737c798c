import { describe, expect, it } from '@jest/globals';
import { ChatRequestError } from '../openai-chat/request.js';
import type { MessagesRequest } from '../../ir/types.js';
import { fromResponsesRequest, toResponsesRequest } from './request.js';
import { BUILTIN_TOOL } from './tools.js';
import type { ResponsesInputItem, ResponsesRequest } from './types.js';

const req = (extra: Partial<ResponsesRequest>): ResponsesRequest => ({ model: 'gpt-test', ...extra });

function errorOf(fn: () => unknown): ChatRequestError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ChatRequestError) return error;
    throw error;
  }
  throw new Error('expected a ChatRequestError');
}

describe('fromResponsesRequest: input items', () => {
  it('takes the tools of an additional_tools item (Codex with tool search), once, and says nothing of the item to the model', () => {
    const item = {
      type: 'additional_tools',
      role: 'developer',
      tools: [
        { type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } },
        { type: 'namespace', name: 'mcp__fs__', tools: [{ type: 'function', name: 'read', parameters: { type: 'object', properties: {} } }] },
      ],
    } as unknown as ResponsesInputItem;
    const { request, toolNames } = fromResponsesRequest(req({ input: [item, { role: 'user', content: 'hi' }] }), { history: [item] });
    expect(request.tools?.map((t) => t.name)).toEqual(['exec_command', 'mcp__fs__read']);
    expect(toolNames.get('mcp__fs__read')).toEqual({ name: 'read', namespace: 'mcp__fs__' });
    expect(request.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('reads a string input as one user message, with instructions as the system prompt', () => {
    const { request } = fromResponsesRequest(req({ input: 'hi', instructions: 'Be brief.', max_output_tokens: 300 }));
    expect(request).toEqual({
      model: 'gpt-test',
      max_tokens: 300,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: 'hi' }],
    });
  });

  it('turns leading developer and system messages into system blocks, later ones into system messages', () => {
    const { request } = fromResponsesRequest(
      req({
        instructions: 'I.',
        input: [
          { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
          { role: 'system', content: 'Sandbox: none.' },
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<env/>' }, { type: 'input_text', text: 'say hi' }] },
          { role: 'developer', content: 'Plan mode.' },
        ],
      }),
    );
    expect(request.system).toEqual([
      { type: 'text', text: 'I.' },
      { type: 'text', text: 'You are Codex.' },
      { type: 'text', text: 'Sandbox: none.' },
    ]);
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: '<env/>' },
          { type: 'text', text: 'say hi' },
        ],
      },
      { role: 'system', content: 'Plan mode.' },
    ]);
  });

  it('groups an assistant turn (reasoning, text, parallel calls) and puts the call outputs first in the next user message', () => {
    const input: ResponsesInputItem[] = [
      { role: 'user', content: 'read both' },
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Two files.' }, { type: 'summary_text', text: 'Read both.' }], encrypted_content: 'gAAAA' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Reading.' }] },
      { type: 'function_call', call_id: 'call_a', name: 'read', arguments: '{"p":"a"}' },
      { type: 'function_call', call_id: 'call_b', name: 'read', arguments: '' },
      { type: 'function_call_output', call_id: 'call_a', output: 'A' },
      { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: 'B' }, { type: 'input_image', image_url: 'data:image/png;base64,iVBO' }] },
      { role: 'user', content: 'and?' },
    ];
    const { request } = fromResponsesRequest(req({ input }));
    expect(request.messages).toEqual([
      { role: 'user', content: 'read both' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Two files.\n\nRead both.', signature: 'gAAAA' },
          { type: 'text', text: 'Reading.' },
          { type: 'tool_use', id: 'call_a', name: 'read', input: { p: 'a' } },
          { type: 'tool_use', id: 'call_b', name: 'read', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_a', content: 'A' },
          {
            type: 'tool_result',
            tool_use_id: 'call_b',
            content: [
              { type: 'text', text: 'B' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } },
            ],
          },
          { type: 'text', text: 'and?' },
        ],
      },
    ]);
  });

  it('reads images and files in user messages', () => {
    const { request } = fromResponsesRequest(
      req({
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'high' },
              { type: 'input_file', filename: 'spec.pdf', file_data: 'data:application/pdf;base64,JVBER' },
              { type: 'input_file', file_url: 'https://example.com/b.pdf' },
            ],
          },
        ],
      }),
    );
    expect(request.messages[0]?.content).toEqual([
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
      { type: 'document', title: 'spec.pdf', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' } },
      { type: 'document', source: { type: 'url', url: 'https://example.com/b.pdf' } },
    ]);
  });

  it('reads the history of a previous response before the input', () => {
    const history: ResponsesInputItem[] = [
      { role: 'user', content: 'hi' },
      { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hello.' }] },
    ];
    const { request } = fromResponsesRequest(req({ input: 'again' }), { history });
    expect(request.messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'text', text: 'Hello.' }] },
      { role: 'user', content: 'again' },
    ]);
  });

  it('leaves out the calls of built-in tools, saying so', () => {
    const dropped: string[] = [];
    const { request } = fromResponsesRequest(
      req({ input: [{ role: 'user', content: 'news?' }, { type: 'web_search_call', id: 'ws_1', status: 'completed' } as never, { role: 'assistant', content: 'None.' }] }),
      { onDrop: (what) => dropped.push(what) },
    );
    expect(request.messages).toHaveLength(2);
    expect(dropped).toEqual(['input[1]: a web_search_call item (built-in tools run only on OpenAI)']);
  });

  it.each([
    [[{ type: 'local_thing' }], 'input[0].type', 'Unknown input item type "local_thing".'],
    [[{ type: 'item_reference', id: 'msg_1' }], 'input[0]', 'item_reference items are not supported'],
    [[{ role: 'robot', content: 'x' }], 'input[0].role', 'Expected one of "user", "assistant", "system", "developer"'],
    [[{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }], 'input[0].content[0].image_url', 'file ids are not supported'],
    [[{ role: 'user', content: [{ type: 'input_audio' }] }], 'input[0].content[0].type', 'Unknown content part type "input_audio".'],
    [[{ role: 'system', content: 5 }], 'input[0].content', 'Expected a string or an array of content parts.'],
    [[{ type: 'function_call', name: 'x' }], 'input[0]', 'needs a string call_id and name'],
    [[{ type: 'function_call_output', output: 'x' }], 'input[0].call_id', 'needs a string call_id'],
    [['hi'], 'input[0]', 'Each input item must be an object.'],
  ])('rejects %j naming %s', (input, param, message) => {
    const error = errorOf(() => fromResponsesRequest(req({ input: input as never })));
    expect(error.param).toBe(param);
    expect(error.message).toContain(message);
  });
});

describe('fromResponsesRequest: tools and parameters', () => {
  const ns = {
    type: 'namespace',
    name: 'multi_agent_v1',
    description: 'Sub-agents.',
    tools: [
      { type: 'function', name: 'spawn_agent', description: 'Spawn.', parameters: { type: 'object', properties: { task: { type: 'string' } } } },
      { type: 'function', name: 'close_agent', parameters: { type: 'object', properties: {} } },
    ],
  } as const;

  it('flattens namespace tools, keeps plain ones, marks built-ins, and maps the names back', () => {
    const { request, toolNames } = fromResponsesRequest(
      req({
        tools: [
          { type: 'function', name: 'exec_command', description: 'Run.', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false },
          ns,
          { type: 'namespace', name: 'mcp__docs__', tools: [{ type: 'function', name: 'search' }] },
          { type: 'web_search', external_web_access: true },
        ],
        tool_choice: 'auto',
        parallel_tool_calls: true,
      }),
    );
    expect(request.tools).toEqual([
      { name: 'exec_command', description: 'Run.', input_schema: { type: 'object', properties: { cmd: { type: 'string' } } } },
      { name: 'multi_agent_v1__spawn_agent', description: 'Spawn.', input_schema: { type: 'object', properties: { task: { type: 'string' } } } },
      { name: 'multi_agent_v1__close_agent', input_schema: { type: 'object', properties: {} } },
      { name: 'mcp__docs__search', input_schema: { type: 'object', properties: {} } },
      { type: 'web_search', name: 'web_search', [BUILTIN_TOOL]: { type: 'web_search', external_web_access: true } },
    ]);
    expect(request.tool_choice).toEqual({ type: 'auto' });
    expect([...toolNames]).toEqual([
      ['multi_agent_v1__spawn_agent', { name: 'spawn_agent', namespace: 'multi_agent_v1' }],
      ['multi_agent_v1__close_agent', { name: 'close_agent', namespace: 'multi_agent_v1' }],
      ['mcp__docs__search', { name: 'search', namespace: 'mcp__docs__' }],
    ]);
  });

  it('reads namespaced calls in the history under their flat name', () => {
    const { request } = fromResponsesRequest(
      req({ tools: [ns], input: [{ type: 'function_call', call_id: 'c1', name: 'close_agent', namespace: 'multi_agent_v1', arguments: '{}' }] }),
    );
    expect(request.messages[0]?.content).toEqual([{ type: 'tool_use', id: 'c1', name: 'multi_agent_v1__close_agent', input: {} }]);
  });

  it('turns a custom tool into a function of one string parameter, and its calls into { input }', () => {
    const { request, toolNames } = fromResponsesRequest(
      req({
        tools: [{ type: 'custom', name: 'apply_patch', description: 'Patch files.', format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' } }],
        input: [
          { type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch' },
          { type: 'custom_tool_call_output', call_id: 'c1', output: 'Done.' },
        ],
      }),
    );
    expect(request.tools?.[0]).toEqual({
      name: 'apply_patch',
      description: 'Patch files.',
      input_schema: {
        type: 'object',
        properties: { input: { type: 'string', description: 'The raw input, which must match this lark grammar:\nstart: "x"' } },
        required: ['input'],
        additionalProperties: false,
      },
    });
    expect(toolNames.get('apply_patch')).toEqual({ name: 'apply_patch', custom: true });
    expect(request.messages).toEqual([
      { role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: 'apply_patch', input: { input: '*** Begin Patch' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c1', content: 'Done.' }] },
    ]);
  });

  it.each([
    ['required', { type: 'any' }],
    ['none', { type: 'none' }],
    [{ type: 'function', name: 'spawn_agent', namespace: 'multi_agent_v1' }, { type: 'tool', name: 'multi_agent_v1__spawn_agent' }],
    [{ type: 'allowed_tools', mode: 'required', tools: [] }, { type: 'any' }],
    [{ type: 'web_search_preview' }, { type: 'auto' }],
  ] as const)('maps tool_choice %j', (choice, expected) => {
    expect(fromResponsesRequest(req({ tools: [ns], tool_choice: choice as never })).request.tool_choice).toEqual(expected);
  });

  it('asks for one call at a time when parallel_tool_calls is false', () => {
    expect(fromResponsesRequest(req({ tools: [ns], parallel_tool_calls: false })).request.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
  });

  it('rejects a tool without a name and duplicate names', () => {
    expect(errorOf(() => fromResponsesRequest(req({ tools: [{ type: 'function' } as never] }))).param).toBe('tools[0].name');
    expect(errorOf(() => fromResponsesRequest(req({ tools: [ns, ns] }))).message).toContain('"multi_agent_v1__spawn_agent" is given twice');
    expect(errorOf(() => fromResponsesRequest(req({ tools: [{ type: 'namespace', name: 'n', tools: [{ type: 'web_search' }] } as never] }))).param).toBe(
      'tools[0].tools[0].type',
    );
  });

  it('carries sampling, limits, text.format and reasoning.effort', () => {
    const { request } = fromResponsesRequest(
      req({
        input: 'x',
        temperature: 0.2,
        top_p: 0.9,
        user: 'u1',
        stream: true,
        reasoning: { effort: 'high', summary: 'auto' },
        text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
      }),
      { defaultMaxTokens: 8192 },
    );
    expect(request).toEqual({
      model: 'gpt-test',
      max_tokens: 8192,
      stream: true,
      temperature: 0.2,
      top_p: 0.9,
      metadata: { user_id: 'u1' },
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      reasoning_effort: 'high',
    });
    expect(fromResponsesRequest(req({ text: { format: { type: 'json_object' } } })).request.response_format).toEqual({ type: 'json_object' });
    expect(fromResponsesRequest(req({ text: { format: { type: 'text' } } })).request).not.toHaveProperty('response_format');
  });
});

describe('toResponsesRequest', () => {
  const ir: MessagesRequest = {
    model: 'claude-x',
    max_tokens: 32000,
    system: [{ type: 'text', text: 'You code.' }],
    temperature: 0.5,
    stop_sequences: ['END'],
    thinking: { type: 'enabled', budget_tokens: 8000 },
    tools: [
      { name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: { p: { type: 'string' } } } },
      { name: 'Now' },
      { type: 'web_search_20250305', name: 'web_search' },
      { type: 'web_search', name: 'web_search', [BUILTIN_TOOL]: { type: 'web_search' } },
    ],
    tool_choice: { type: 'auto', disable_parallel_tool_use: true },
    messages: [
      { role: 'user', content: 'look' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Hm.', signature: 'gAAAA' },
          { type: 'text', text: 'Looking.' },
          { type: 'tool_use', id: 'call_1', name: 'Read', input: { p: 'a' } },
          { type: 'tool_use', id: 'call_2', name: 'Now', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'A' }] },
          { type: 'tool_result', tool_use_id: 'call_2', content: 'gone', is_error: true },
          { type: 'text', text: 'well?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } },
        ],
      },
      { role: 'system', content: 'Be brief.' },
    ],
  };

  it('builds a stateless request with instructions, items, function tools and built-ins', () => {
    expect(toResponsesRequest(ir, { model: 'gpt-5', stream: true, maxOutputTokens: 16000 })).toEqual({
      model: 'gpt-5',
      store: false,
      stream: true,
      instructions: 'You code.',
      max_output_tokens: 16000,
      temperature: 0.5,
      reasoning: { effort: 'medium' },
      tools: [
        { type: 'function', name: 'Read', description: 'Read a file', parameters: { type: 'object', properties: { p: { type: 'string' } } }, strict: false },
        { type: 'function', name: 'Now', parameters: { type: 'object', properties: {} }, strict: false },
        { type: 'web_search' },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: false,
      input: [
        { role: 'user', content: 'look' },
        { role: 'assistant', content: [{ type: 'output_text', text: 'Looking.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'Read', arguments: '{"p":"a"}' },
        { type: 'function_call', call_id: 'call_2', name: 'Now', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'A' },
        { type: 'function_call_output', call_id: 'call_2', output: 'Error: gone' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'well?' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBO', detail: 'auto' },
          ],
        },
        { role: 'developer', content: 'Be brief.' },
      ],
    });
  });

  it('sends thinking back as reasoning items only when asked', () => {
    const out = toResponsesRequest(ir, { model: 'gpt-5', stream: false, thinking: 'reasoning' });
    expect(out.input?.[1]).toEqual({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'Hm.' }], encrypted_content: 'gAAAA' });
    expect(out.include).toEqual(['reasoning.encrypted_content']);
  });

  it('maps reasoning_effort and response_format back', () => {
    const out = toResponsesRequest(
      { model: 'm', max_tokens: 10, messages: [], reasoning_effort: 'low', response_format: { type: 'json_schema', json_schema: { name: 'a', schema: {} } } },
      { model: 'm', stream: false },
    );
    expect(out.reasoning).toEqual({ effort: 'low' });
    expect(out.text).toEqual({ format: { type: 'json_schema', name: 'a', schema: {} } });
  });

  it('round-trips a Responses conversation through the IR', () => {
    const input: ResponsesInputItem[] = [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: [{ type: 'output_text', text: 'Going.' }] },
      { type: 'function_call', call_id: 'c1', name: 'exec', arguments: '{"cmd":"ls"}' },
      { type: 'function_call_output', call_id: 'c1', output: 'a.ts' },
      { role: 'user', content: [{ type: 'input_text', text: 'next' }] },
    ];
    const { request } = fromResponsesRequest(req({ input, instructions: 'Sys.' }));
    const back = toResponsesRequest(request, { model: 'gpt-test', stream: false });
    expect(back.input).toEqual(input);
    expect(back.instructions).toBe('Sys.');
  });
});

describe('fromResponsesRequest: values it would otherwise pass on coerced', () => {
  const item = (extra: Record<string, unknown>) => [extra as unknown as ResponsesInputItem];

  it('refuses a text part whose text is not a string, naming it', () => {
    expect(errorOf(() => fromResponsesRequest(req({ input: item({ role: 'user', content: [{ type: 'input_text', text: 5 }] }) })))).toMatchObject({
      param: 'input[0].content[0].text',
      message: 'Expected a string, got 5.',
    });
    expect(errorOf(() => fromResponsesRequest(req({ input: item({ role: 'assistant', content: [{ type: 'output_text' }] }) })))).toMatchObject({
      param: 'input[0].content[0].text',
      message: "Missing required parameter: 'input[0].content[0].text'.",
    });
    expect(errorOf(() => fromResponsesRequest(req({ input: item({ role: 'user', content: [{ type: 'refusal', refusal: null }] }) }))).param).toBe('input[0].content[0].refusal');
  });

  it('refuses function_call arguments (and custom_tool_call input) that are not a string', () => {
    expect(errorOf(() => fromResponsesRequest(req({ input: item({ type: 'function_call', call_id: 'c', name: 'f', arguments: { a: 1 } }) })))).toMatchObject({
      param: 'input[0].arguments',
      message: 'Expected a string, got {"a":1}.',
    });
    expect(errorOf(() => fromResponsesRequest(req({ input: item({ type: 'custom_tool_call', call_id: 'c', name: 'f', input: 7 }) }))).param).toBe('input[0].input');
  });

  it('quotes at most 60 characters of a bad value back', () => {
    const message = errorOf(() => fromResponsesRequest(req({ input: item({ role: 'r'.repeat(100_000), content: 'hi' }) }))).message;
    expect(message).toBe(`Expected one of "user", "assistant", "system", "developer", got "${'r'.repeat(56)}....`);
  });
});
