/**
 * How a Bedrock request proves who sends it: a Bedrock API key as a bearer
 * token, or an AWS Signature Version 4 over the exact bytes sent. SigV4
 * credentials come from the options or from the AWS credential chain
 * (environment, shared config and SSO, web identity, container and instance
 * roles), loaded on the first request and kept (the chain refreshes
 * expiring ones): the gateway starts, and serves other providers, without
 * any AWS credentials.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { LynkrError } from '../../kernel/index.js';

/** Static AWS credentials. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

type CredentialSource = () => Promise<AwsCredentials>;

/** Signs one request. */
export interface BedrockAuth {
  readonly mode: 'sigv4' | 'bearer';
  /** `headers` with the authorization headers added, for exactly `body` sent to `url` with POST. */
  sign(url: URL, headers: Record<string, string>, body: Uint8Array): Promise<Record<string, string>>;
}

/** A Bedrock API key, sent as `Authorization: Bearer`. */
export function bearerAuth(apiKey: string): BedrockAuth {
  const authorization = `Bearer ${apiKey}`;
  return {
    mode: 'bearer',
    sign: (_url, headers) => Promise.resolve({ ...headers, authorization }),
  };
}

export interface SigV4Options {
  region: string;
  /** Without them, the AWS credential chain. */
  credentials: AwsCredentials | undefined;
  /** The provider id, for error messages. */
  label: string;
}

/** SigV4 for service `bedrock`: host, content type, accept and date are signed with the body's hash. */
export function sigV4Auth({ region, credentials, label }: SigV4Options): BedrockAuth {
  const signer = new SignatureV4({
    service: 'bedrock',
    region,
    credentials: credentials ?? credentialChain(label),
    sha256: NodeSha256,
    // Bedrock hashes the body itself: no x-amz-content-sha256 header (S3 is the service that needs it).
    applyChecksum: false,
  });
  return {
    mode: 'sigv4',
    async sign(url, headers, body) {
      // undici sends `host` as the URL's host; the signature must cover that exact value.
      const signed = await signer.sign({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        path: url.pathname,
        query: {},
        headers: { ...headers, host: url.host },
        body,
      });
      return signed.headers;
    },
  };
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

/**
 * SHA-256 and HMAC-SHA-256 on node:crypto, in the shape SignatureV4 takes.
 * The pure-JS @aws-crypto/sha256-js costs about 15 ms to sign a 300 KB
 * Claude Code request on this hardware, node:crypto under 2 ms; the fake
 * Bedrock verifies with sha256-js, so the two implementations check each
 * other.
 */
class NodeSha256 {
  readonly #secret: SourceData | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.#secret = secret;
    this.#hash = this.#fresh();
  }

  update(data: Uint8Array): void {
    this.#hash.update(data);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.#hash.digest());
  }

  reset(): void {
    this.#hash = this.#fresh();
  }

  #fresh(): Hash | Hmac {
    const secret = this.#secret;
    if (secret === undefined) return createHash('sha256');
    const key = typeof secret === 'string' ? secret : ArrayBuffer.isView(secret) ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength) : Buffer.from(secret);
    return createHmac('sha256', key);
  }
}

/** The AWS SDK's default chain, imported and built on first use only: it is large, and most gateways never call it. */
function credentialChain(label: string): CredentialSource {
  let chain: Promise<CredentialSource> | undefined;
  return async () => {
    try {
      chain ??= import('@aws-sdk/credential-provider-node').then((m) => m.defaultProvider());
      return await (await chain)();
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new LynkrError(
        'LYNKR_ERR_PLUGIN_OPTIONS',
        `provider "${label}" found no AWS credentials (${why}): set apiKey (a Bedrock API key), accessKeyId and secretAccessKey, or credentials the AWS chain reads (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, a role)`,
        { cause },
      );
    }
  };
}
