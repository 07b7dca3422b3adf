// Which settings the function gets when the local server runs it. Real settings (env or `.env`, the
// names of docs/contract.md, Settings) are passed through untouched; what is missing is filled by dev mode:
// no key -> the dev OwnID key file; no session source -> the dev session issuer (or, in the opaque
// demo, the server's own session endpoint); no state table -> the embedded store (dynalite). The
// function sees ordinary configuration either way.
import { DEV_SESSION_AUDIENCE, JWT_SESSION_COOKIE, OPAQUE_SESSION_COOKIE } from './demo-sessions.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './state-store-local.ts';

export type Env = Readonly<Record<string, string | undefined>>;
export type DemoSessionMode = 'jwt' | 'opaque';

const KEY_VARIABLES = ['OWNID_PRIVATE_KEY_SECRET_ID', 'OWNID_PRIVATE_KEY_FILE'] as const;
const SESSION_VARIABLES = [
  'SESSION_COGNITO_USER_POOL_ID',
  'SESSION_COGNITO_CLIENT_IDS',
  'SESSION_JWT_ISSUER',
  'SESSION_JWT_JWKS_URL',
  'SESSION_JWT_AUDIENCE',
  'SESSION_INTROSPECTION_URL',
  'SESSION_INTROSPECTION_COOKIES',
] as const;

export interface LocalSettings {
  /** The complete environment the function is started with. */
  readonly functionEnv: Record<string, string>;
  /** The dev session kind, or undefined when real session settings are in use (the demo login is then off). */
  readonly devSession: DemoSessionMode | undefined;
  /** True when the dev OwnID key signs the tokens. */
  readonly devKey: boolean;
  /** One line per session source, for the startup output. */
  readonly sessionSources: readonly string[];
  readonly keySource: string;
  /** Where the policy state lives, for the startup output. */
  readonly stateStore: string;
  readonly allowedOrigins: readonly string[];
  readonly token: { readonly profile: string; readonly issuer: string; readonly audience: string };
}

export interface SettingsInput {
  readonly env: Env;
  /** The URL the function uses to call this server back (JWKS, session endpoint): loopback. */
  readonly callbackBase: string;
  /** Origins the demo pages are served from; always allowed, or the demo's own cookie requests get 403. */
  readonly ownOrigins: readonly string[];
  readonly sessionMode: DemoSessionMode;
  readonly devKeyPath: string;
  /** The embedded store started for this run (when ENROLLMENT_STATE_TABLE is not set). */
  readonly embeddedStore?: { readonly endpoint: string; readonly tableName: string } | undefined;
}

const has = (env: Env, name: string) => (env[name] ?? '').trim() !== '';

export function usesDevKey(env: Env): boolean {
  return !KEY_VARIABLES.some((name) => has(env, name));
}

export function usesDevSession(env: Env): boolean {
  return !SESSION_VARIABLES.some((name) => has(env, name));
}

/** The function's store deadline with the embedded store, unless POLICY_STORE_TIMEOUT_MS is set. */
export const EMBEDDED_STORE_TIMEOUT_MS = '1500';

/** True when no state table is configured: dev mode then runs the embedded store. */
export function usesEmbeddedStateStore(env: Env): boolean {
  return !has(env, 'ENROLLMENT_STATE_TABLE');
}

const isLoopbackUrl = (text: string | undefined) => {
  const host = URL.parse(text ?? '')?.hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
};

/**
 * The state store's settings: the embedded one's, or the configured ones as they are. A store on this
 * machine gets a region and credentials when none are set (a local store accepts any; the SDK wants some).
 */
function stateStoreSettings(input: SettingsInput, functionEnv: Record<string, string>): string {
  const { env, embeddedStore } = input;
  if (embeddedStore !== undefined) {
    functionEnv.ENROLLMENT_STATE_TABLE = embeddedStore.tableName;
    functionEnv.AWS_ENDPOINT_URL_DYNAMODB = embeddedStore.endpoint;
    // dynalite answers from the server's own thread, between the demo's requests: on a busy laptop
    // the production 300 ms would fail open (or 503) now and then, and the demo would not show the policy.
    if (!has(env, 'POLICY_STORE_TIMEOUT_MS')) functionEnv.POLICY_STORE_TIMEOUT_MS = EMBEDDED_STORE_TIMEOUT_MS;
  }
  const table = functionEnv.ENROLLMENT_STATE_TABLE;
  if (table === undefined || table.trim() === '')
    return 'none (ENROLLMENT_STATE_TABLE is not set): no policy';
  const endpoint = functionEnv.AWS_ENDPOINT_URL_DYNAMODB;
  if (isLoopbackUrl(endpoint)) {
    if (!has(env, 'AWS_REGION')) functionEnv.AWS_REGION = LOCAL_REGION;
    if (!has(env, 'AWS_ACCESS_KEY_ID')) {
      functionEnv.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
      functionEnv.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
      delete functionEnv.AWS_SESSION_TOKEN;
    }
  }
  if (embeddedStore !== undefined) {
    return `embedded dynalite ${endpoint}, table ${table} (in memory: forgotten when the server stops)`;
  }
  return `table ${table} at ${endpoint ?? `DynamoDB in ${env.AWS_REGION ?? 'the default region'}`}`;
}

export function parseSessionMode(value: string | undefined): DemoSessionMode {
  if (value === undefined || value === '' || value === 'jwt') return 'jwt';
  if (value === 'opaque') return 'opaque';
  throw new Error(`the demo session mode must be "jwt" or "opaque", got "${value}"`);
}

export function resolveLocalSettings(input: SettingsInput): LocalSettings {
  const { env, callbackBase, ownOrigins, sessionMode, devKeyPath } = input;
  const functionEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) functionEnv[name] = value;

  const devKey = usesDevKey(env);
  if (devKey) functionEnv.OWNID_PRIVATE_KEY_FILE = devKeyPath;
  const keySource = devKey
    ? `dev OwnID key ${devKeyPath} (OwnID itself will not accept tokens signed with it)`
    : has(env, 'OWNID_PRIVATE_KEY_FILE')
      ? `key file ${env.OWNID_PRIVATE_KEY_FILE}`
      : `Secrets Manager secret ${env.OWNID_PRIVATE_KEY_SECRET_ID}`;

  const devSession = usesDevSession(env) ? sessionMode : undefined;
  if (!usesDevSession(env) && sessionMode === 'opaque') {
    throw new Error(
      'the opaque-session demo (--session=opaque) uses its own session endpoint; unset the SESSION_* settings to use it',
    );
  }
  const sessionSources: string[] = [];
  if (devSession === 'jwt') {
    functionEnv.SESSION_JWT_ISSUER = `${callbackBase}/dev-issuer`;
    functionEnv.SESSION_JWT_JWKS_URL = `${callbackBase}/dev-issuer/jwks.json`;
    functionEnv.SESSION_JWT_AUDIENCE = DEV_SESSION_AUDIENCE;
    functionEnv.SESSION_COOKIE_NAMES = JWT_SESSION_COOKIE;
    sessionSources.push(
      `dev session issuer: JWT in cookie "${JWT_SESSION_COOKIE}", JWKS ${functionEnv.SESSION_JWT_JWKS_URL}`,
    );
  } else if (devSession === 'opaque') {
    functionEnv.SESSION_INTROSPECTION_URL = `${callbackBase}/demo/session`;
    functionEnv.SESSION_INTROSPECTION_COOKIES = OPAQUE_SESSION_COOKIE;
    delete functionEnv.SESSION_COOKIE_NAMES;
    sessionSources.push(
      `opaque demo session: cookie "${OPAQUE_SESSION_COOKIE}", introspected at ${functionEnv.SESSION_INTROSPECTION_URL}`,
    );
  } else {
    if (has(env, 'SESSION_COGNITO_USER_POOL_ID')) {
      sessionSources.push(
        `Cognito user pool ${env.SESSION_COGNITO_USER_POOL_ID} (clients ${env.SESSION_COGNITO_CLIENT_IDS ?? '-'})`,
      );
    }
    if (has(env, 'SESSION_JWT_ISSUER'))
      sessionSources.push(`JWT issuer ${env.SESSION_JWT_ISSUER} (JWKS ${env.SESSION_JWT_JWKS_URL ?? '-'})`);
    if (has(env, 'SESSION_COOKIE_NAMES'))
      sessionSources.push(`session JWT cookies: ${env.SESSION_COOKIE_NAMES}`);
    if (has(env, 'SESSION_INTROSPECTION_URL')) {
      sessionSources.push(
        `introspection ${env.SESSION_INTROSPECTION_URL} (cookies ${env.SESSION_INTROSPECTION_COOKIES ?? '-'})`,
      );
    }
  }

  // The Passkey Enrolled event goes to EventBridge only where one is named: never to AWS with the
  // demo's stand-in credentials. The demo's funnel is the local server's own (from the metric lines).
  if (!has(env, 'ENROLLMENT_EVENTS') && !has(env, 'AWS_ENDPOINT_URL_EVENTBRIDGE')) {
    functionEnv.ENROLLMENT_EVENTS = 'false';
  }

  const configured = (env.ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  const allowedOrigins = [...new Set([...configured, ...ownOrigins])];
  functionEnv.ALLOWED_ORIGINS = allowedOrigins.join(',');

  // What the offline stand-in expects in the token (docs/contract.md, Token: the default profile).
  const profile = env.TOKEN_PROFILE?.trim() || 'default';
  const siteUrl = env.TOKEN_SITE_URL?.trim() ?? '';
  const fallback = profile === 'session-creation' ? siteUrl : 'OwnID';
  const token = {
    profile,
    issuer: env.TOKEN_ISSUER?.trim() || fallback,
    audience: env.TOKEN_AUDIENCE?.trim() || fallback,
  };

  const stateStore = stateStoreSettings(input, functionEnv);

  return { functionEnv, devSession, devKey, sessionSources, keySource, stateStore, allowedOrigins, token };
}
