/**
 * A Claude Pro/Max subscription through Lynkr. Claude Code logged in to a
 * subscription sends its OAuth token as `Authorization: Bearer sk-ant-oat…`
 * instead of an API key. For Anthropic's own API, and only there, that token
 * is the credential: the request is the user's, billed to their plan.
 *
 * Priority: the client's subscription token, else the configured API key,
 * else a 401 in Anthropic's format. The token is read from the request's
 * headers when the request goes out and is kept nowhere else: never in the
 * exchange state, a store or a log line. Other providers never see it, since
 * no adapter forwards client headers but this one, and this one only to the
 * hosts below.
 */
import { LynkrError, type AnthropicAdapterSettings } from '../../kernel/index.js';

/** The hosts that accept a Claude subscription's token. */
export const SUBSCRIPTION_HOSTS: ReadonlySet<string> = new Set(['api.anthropic.com']);

/** The beta that tells Anthropic's API the bearer is an OAuth token. */
export const OAUTH_BETA = 'oauth-2025-04-20';

/**
 * Claude's OAuth access tokens. A bearer of another shape may be a Lynkr key
 * (the client's credential for Lynkr itself), which must never go upstream.
 */
const OAUTH_TOKEN = /^sk-ant-oat\d*-[\w-]+$/;

/** The client's subscription token, if its `Authorization` carries one. */
export function subscriptionToken(authorization: string | string[] | undefined): string | undefined {
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const token = value && /^Bearer\s+(\S+)\s*$/i.exec(value)?.[1];
  return token && OAUTH_TOKEN.test(token) ? token : undefined;
}

/**
 * The adapter's per-request credential: the subscription token when the
 * upstream takes it and the client sent one, else the configured key (already
 * in the static headers), else an error.
 */
export function subscriptionAuth(options: { hasKey: boolean; id: string }): NonNullable<AnthropicAdapterSettings['auth']> {
  return ({ exchange }, headers) => {
    const token = subscriptionToken(exchange.headers.authorization);
    if (token) {
      delete headers['x-api-key'];
      headers.authorization = `Bearer ${token}`;
      const betas = new Set((headers['anthropic-beta'] ?? '').split(',').map((b) => b.trim()).filter(Boolean));
      betas.add(OAUTH_BETA);
      headers['anthropic-beta'] = [...betas].join(',');
      return;
    }
    if (!options.hasKey) {
      throw new LynkrError(
        'LYNKR_ERR_AUTH_NO_UPSTREAM_CREDENTIAL',
        `provider "${options.id}" needs a credential: log in to Claude Code with a subscription, or configure its apiKey`,
      );
    }
  };
}
