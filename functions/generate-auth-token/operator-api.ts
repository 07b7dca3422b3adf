// The function's public entry for the operator tools in scripts/: the same key checks and token
// signing the Lambda runs, so `npm run key:put` refuses exactly what the function would refuse.
// The policy state, for `npm run policy:show | policy:reset` and the local demo's policy panel.
export { type PolicyConfig, parsePolicyConfig, parseTokenConfig, type TokenConfig } from './config.ts';
export { signEnrollmentToken } from './enrollment-token.ts';
export { ConfigError, PrivateKeyFormatError } from './errors.ts';
export { isJsonObject } from './json-object.ts';
export { secretArnRegion } from './key-sources.ts';
export { type PolicyView, policyView } from './policy/policy-view.ts';
export type { PolicySettings, UserPolicyState } from './policy/prompt-policy.ts';
export { createDynamoDbClient, createPolicyStore, type PolicyStore } from './policy/state-store.ts';
export { userHash } from './policy/user-hash.ts';
export {
  importOwnIdPrivateKey,
  MIN_RSA_BITS,
  type OwnIdPrivateKey,
  parseSecretString,
} from './private-key.ts';
