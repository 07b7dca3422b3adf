// The key that names a user everywhere outside the session: a keyed hash of the email (the same
// value the log line carries), never the email. The HMAC key is derived from the signing key, so
// every instance and the operator tools agree; rotating the OwnID key starts every user afresh.
import { createHmac, type KeyObject } from 'node:crypto';

/** Base64url characters kept: 132 bits, ample against collisions among one site's users. */
export const USER_HASH_LENGTH = 22;

// The log line's emailHash is this value too: one rule names a user everywhere.
export function userHash(email: string, hashKey: KeyObject): string {
  return createHmac('sha256', hashKey).update(email).digest('base64url').slice(0, USER_HASH_LENGTH);
}
