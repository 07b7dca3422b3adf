// Build-time stand-in for @aws-sdk/credential-provider-node (see scripts/esbuild-config.ts).
// Lambda always hands the function its role's credentials in AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, so the default chain's SSO, STS, INI, IMDS and
// process providers are dead weight: about a quarter of the bundle. The local server runs the same
// bundle; against real AWS it needs credentials in the environment too (see docs/configuration.md, AWS credentials).
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
type Expiring = { expiration?: Date } | undefined;
// Same rules as the default chain: refresh credentials that expire within five minutes.
export const credentialsWillNeedRefresh = (credentials: Expiring) => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials: Expiring) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
