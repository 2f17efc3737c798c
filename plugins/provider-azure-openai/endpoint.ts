/**
 * An Azure OpenAI endpoint as users copy it from the portal: the resource
 * root (`https://<resource>.openai.azure.com`, `….cognitiveservices.azure.com`,
 * `….services.ai.azure.com`), or a full request URL whose deployment, API
 * version and API (chat or Responses) are read from it.
 */
import { LynkrError } from '../../kernel/index.js';

export interface AzureEndpoint {
  /** The resource root, without a trailing slash; `/openai/…` paths are appended to it. */
  base: string;
  /** The `api-version` query parameter of a full URL. */
  apiVersion?: string;
  /** The deployment of a `/openai/deployments/<name>/…` URL. */
  deployment?: string;
  /** The URL is a Responses one: `v1` (`/openai/v1/responses`) or `versioned` (`/openai/responses?api-version=…`). */
  responses?: 'v1' | 'versioned';
}

const OPENAI_PATH = /^(.*?)\/openai(?:\/(.*))?$/;

export function parseEndpoint(id: string, endpoint: string): AzureEndpoint {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${id}": endpoint "${endpoint}" is not a URL`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  const match = OPENAI_PATH.exec(path);
  if (!match && path !== '') {
    // The Azure AI model inference API (`/models/chat/completions`) is plain Chat Completions with `model` in the body.
    throw new LynkrError(
      'LYNKR_ERR_PLUGIN_OPTIONS',
      `provider "${id}": endpoint "${endpoint}" is not an Azure OpenAI URL (the resource root, or a URL under /openai/); for another OpenAI-compatible path use provider-openai-compatible`,
    );
  }
  const rest = match?.[2] ?? '';
  const out: AzureEndpoint = { base: url.origin + (match ? (match[1] ?? '') : '') };
  const apiVersion = url.searchParams.get('api-version');
  if (apiVersion) out.apiVersion = apiVersion;
  const deployment = /^deployments\/([^/]+)/.exec(rest)?.[1];
  if (deployment) out.deployment = decodeURIComponent(deployment);
  if (rest === 'v1/responses') out.responses = 'v1';
  else if (rest === 'responses') out.responses = 'versioned';
  return out;
}
