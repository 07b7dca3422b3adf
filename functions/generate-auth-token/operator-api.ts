// The function's public entry for the operator tools in scripts/: the same key checks and token
// signing the Lambda runs, so `npm run key:put` refuses exactly what the function would refuse.
export { parseTokenConfig, type TokenConfig } from './config.ts';
export { signEnrollmentToken } from './enrollment-token.ts';
export { ConfigError, PrivateKeyFormatError } from './errors.ts';
export { isJsonObject } from './json-object.ts';
export { secretArnRegion } from './key-sources.ts';
export {
  importOwnIdPrivateKey,
  MIN_RSA_BITS,
  type OwnIdPrivateKey,
  parseSecretString,
} from './private-key.ts';
