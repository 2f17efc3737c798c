/**
 * One provider over two Azure OpenAI APIs: Chat Completions on the
 * deployment's path for most deployments, the Responses API for those that
 * speak only it. Both are the kernel's adapters; this picks the deployment,
 * sends it to the right one, and fits the body to reasoning models.
 */
import {
  LynkrError,
  openaiChatAdapter,
  openaiResponsesAdapter,
  pickModel,
  resolveModel,
  type Capabilities,
  type ProviderAdapter,
  type UpstreamClient,
} from '../../kernel/index.js';
import { parseEndpoint } from './endpoint.js';
import { capabilitiesFor, matcher, REASONING, RESPONSES_ONLY } from './models.js';
import { DEFAULT_API_VERSION, type Options } from './options.js';

type Body = Record<string, unknown>;

/** Deployment names whose capabilities are kept. */
const MAX_KNOWN = 256;

export function azureOpenAIAdapter(options: Options, client: UpstreamClient): ProviderAdapter {
  const { id } = options;
  if (!options.apiKey && !options.bearerToken) throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${id}": apiKey or bearerToken is required`);
  const endpoint = parseEndpoint(id, options.endpoint);
  const model = options.model ?? endpoint.deployment;
  const apiVersion = options.apiVersion ?? (endpoint.responses ? undefined : endpoint.apiVersion) ?? DEFAULT_API_VERSION;
  const responsesVersion = options.responsesApiVersion ?? (endpoint.responses === 'versioned' ? (endpoint.apiVersion ?? apiVersion) : undefined);
  // A Responses URL copied from the portal says the deployments speak Responses, as the original Lynkr read it.
  const speaksResponses = matcher(options.responsesModels ?? (endpoint.responses ? ['*'] : undefined), RESPONSES_ONLY);
  const isReasoning = matcher(options.reasoningModels, REASONING);
  const effort = options.reasoningEffort;

  const headers: Record<string, string> = {};
  // One credential: an Entra token when given (keys may be disabled on the resource), else the key.
  if (options.bearerToken) headers.authorization = `Bearer ${options.bearerToken}`;
  else headers['api-key'] = options.apiKey as string;
  for (const [name, value] of Object.entries(options.headers)) headers[name.toLowerCase()] = value;

  // Computed once per deployment name (the adapters ask on every request); bounded, as clients may send any name.
  const known = new Map<string, Capabilities>();
  const capabilities = (name: string): Capabilities => {
    let caps = known.get(name);
    if (!caps) {
      caps = Object.freeze(capabilitiesFor(name, options.capabilities));
      if (known.size < MAX_KNOWN) known.set(name, caps);
    }
    return caps;
  };

  /** Reasoning models refuse `max_tokens` and sampling other than the default; other models refuse a reasoning effort. */
  const chatBody = (body: Body, deployment: string): Body => {
    if (!isReasoning(deployment)) {
      delete body.reasoning_effort;
      return body;
    }
    if (body.max_tokens !== undefined) {
      body.max_completion_tokens = body.max_tokens;
      delete body.max_tokens;
    }
    delete body.temperature;
    delete body.top_p;
    if (effort) body.reasoning_effort = effort;
    return body;
  };
  const responsesBody = (body: Body, deployment: string): Body => {
    if (!isReasoning(deployment)) {
      delete body.reasoning;
      delete body.include;
      return body;
    }
    delete body.temperature;
    delete body.top_p;
    if (effort) body.reasoning = { ...(body.reasoning as Body | undefined), effort };
    return body;
  };

  const common = { id, headers, model, models: options.models, capabilities, ...(options.timeouts && { timeouts: options.timeouts }) };
  const chat = openaiChatAdapter(
    { ...common, url: `${endpoint.base}/openai/deployments/{model}/chat/completions?api-version=${encodeURIComponent(apiVersion)}`, body: chatBody },
    client,
  );
  const responses = openaiResponsesAdapter(
    {
      ...common,
      url: responsesVersion ? `${endpoint.base}/openai/responses?api-version=${encodeURIComponent(responsesVersion)}` : `${endpoint.base}/openai/v1/responses`,
      keepReasoning: options.keepReasoning,
      body: responsesBody,
    },
    client,
  );

  return {
    id,
    // Front doors treat it as a Chat upstream: OpenAI's built-in tools are dropped, as Azure runs few of them.
    wire: chat.wire,
    defaultModel: model,
    models: chat.models,
    resolveModel: (requested) => resolveModel(requested, { map: options.modelMap, defaultModel: model }),
    capabilities,
    invoke(call) {
      const deployment = pickModel(call, { map: options.modelMap, defaultModel: model });
      // The deployment goes to the chosen adapter as the route's model, so that it maps nothing again.
      const routed = { ...call, decision: { ...call.decision, model: deployment } };
      return (speaksResponses(deployment) ? responses : chat).invoke(routed);
    },
  };
}
