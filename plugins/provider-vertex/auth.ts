/**
 * Google credentials for Vertex AI: a service account (its JSON key, given
 * as a file path or as the JSON itself) or Application Default Credentials,
 * through google-auth-library. Nothing is fetched at boot: the first request
 * gets a token, which the library keeps until five minutes before it
 * expires; requests that arrive together share one fetch.
 */
import { readFile } from 'node:fs/promises';
import { GoogleAuth, type AnyAuthClient, type JWTInput } from 'google-auth-library';
import { LynkrError } from '../../kernel/index.js';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
/** Where google-auth-library posts every token request, whatever the key file says. */
const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

/** A key file's fields Lynkr reads besides what google-auth-library does. */
type KeyFile = JWTInput & { token_uri?: string };

/**
 * A parsed credentials option: `credentials` is a path to a JSON key file,
 * or the JSON text itself (what a secret store hands over). Read at boot so
 * that a wrong path or a broken file stops the boot, naming the provider.
 */
export async function loadKeyFile(id: string, credentials: string): Promise<KeyFile> {
  const inline = credentials.trimStart().startsWith('{');
  let text = credentials;
  if (!inline) {
    try {
      text = await readFile(credentials, 'utf8');
    } catch (cause) {
      throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${id}": cannot read the credentials file ${credentials}: ${(cause as Error).message}`, { cause });
    }
  }
  let key: unknown;
  try {
    key = JSON.parse(text);
  } catch (cause) {
    const where = inline ? 'the credentials JSON' : `the credentials file ${credentials}`;
    throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${id}": ${where} is not JSON`, { cause });
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) {
    throw new LynkrError('LYNKR_ERR_PLUGIN_OPTIONS', `provider "${id}": the credentials are not a JSON object`);
  }
  return key as KeyFile;
}

/** Access tokens and the project for one provider. */
export class GoogleAccess {
  readonly #id: string;
  readonly #auth: GoogleAuth;
  readonly #tokenUri: string | undefined;
  #project: string | undefined;
  #client: Promise<AnyAuthClient> | undefined;

  /** `key`: a parsed key file; without one, Application Default Credentials. */
  constructor(id: string, options: { key?: KeyFile; project?: string }) {
    this.#id = id;
    const { key } = options;
    this.#auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM], ...(key && { credentials: key }) });
    this.#project = options.project ?? key?.project_id;
    this.#tokenUri = key?.token_uri && key.token_uri !== GOOGLE_TOKEN_URI ? key.token_uri : undefined;
  }

  /** The project: configured, else the key file's, else what ADC finds. */
  async project(): Promise<string> {
    if (this.#project) return this.#project;
    try {
      this.#project = await this.#auth.getProjectId();
    } catch (cause) {
      throw new LynkrError('LYNKR_ERR_AUTH_NO_UPSTREAM_CREDENTIAL', `provider "${this.#id}": no Google Cloud project is known; set \`project\` (VERTEX_PROJECT_ID)`, { cause });
    }
    return this.#project;
  }

  /** A valid access token, fetched when the one held is about to expire. */
  async token(): Promise<string> {
    let result;
    try {
      result = await (await this.#authClient()).getAccessToken();
    } catch (error) {
      throw tokenError(this.#id, error);
    }
    if (!result.token) throw new LynkrError('LYNKR_ERR_AUTH_NO_UPSTREAM_CREDENTIAL', `provider "${this.#id}": Google returned no access token`);
    return result.token;
  }

  #authClient(): Promise<AnyAuthClient> {
    this.#client ??= this.#auth.getClient().then(
      (client) => {
        const tokenUri = this.#tokenUri;
        // google-auth-library ignores a key file's `token_uri` and always posts to Google's;
        // honouring it serves private token endpoints (and the tests' fake one).
        if (tokenUri) {
          client.transporter.interceptors.request.add({
            resolved: async (config) => {
              if (config.url.href === GOOGLE_TOKEN_URI) config.url = new URL(tokenUri);
              return config;
            },
          });
        }
        return client;
      },
      (error: unknown) => {
        // Not cached: credentials that appear later (gcloud auth) are picked up by the next request.
        this.#client = undefined;
        throw error;
      },
    );
    return this.#client;
  }
}

/**
 * A failed token fetch as a LynkrError. The token endpoint's refusal (a
 * revoked key, a clock far off) is the upstream's answer, but it is not the
 * client's fault, so it goes out as 502 with the endpoint's status in the
 * detail; an unreachable endpoint is UNREACHABLE; no credential at all (ADC
 * found nothing) is a configuration problem.
 */
function tokenError(id: string, error: unknown): LynkrError {
  const e = error as { message?: unknown; status?: unknown; response?: { status?: unknown; data?: unknown }; code?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const status = typeof e?.response?.status === 'number' ? e.response.status : typeof e?.status === 'number' ? e.status : undefined;
  if (status !== undefined) {
    return new LynkrError('LYNKR_ERR_UPSTREAM_HTTP', `upstream "${id}" could not get a Google access token: the token endpoint answered ${status}: ${message}`, {
      status: 502,
      cause: error,
      detail: { upstream: id, upstreamStatus: status, body: e.response?.data },
    });
  }
  if (typeof e?.code === 'string' && /^(E[A-Z]+|UND_ERR)/.test(e.code)) {
    return new LynkrError('LYNKR_ERR_UPSTREAM_UNREACHABLE', `upstream "${id}" could not reach the Google token endpoint: ${message}`, { cause: error });
  }
  return new LynkrError('LYNKR_ERR_AUTH_NO_UPSTREAM_CREDENTIAL', `provider "${id}" has no usable Google credentials (set \`credentials\` or GOOGLE_APPLICATION_CREDENTIALS): ${message}`, {
    cause: error,
  });
}
