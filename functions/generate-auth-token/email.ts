// The email goes into a token OwnID trusts as a login id: check it before it does.
export const MAX_EMAIL_LENGTH = 254;

// C0/C1 controls, whitespace, zero-width and bidi formatting characters, line/paragraph separators.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Z}\s]/u;

export function isAcceptableEmail(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (value.length < 3 || value.length > MAX_EMAIL_LENGTH) return false;
  // Lone surrogates have no UTF-8 form: two such strings could collapse into one login id downstream.
  if (!value.isWellFormed() || FORBIDDEN.test(value)) return false;
  // One canonical form only: a non-NFC string could name the same account two ways.
  if (value.normalize('NFC') !== value) return false;
  const at = value.indexOf('@');
  if (at <= 0 || at !== value.lastIndexOf('@') || at === value.length - 1) return false;
  const domain = value.slice(at + 1);
  return !domain.startsWith('.') && !domain.endsWith('.') && !domain.includes('..');
}
