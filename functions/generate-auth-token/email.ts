// The email goes into a token OwnID trusts as a login id: check it before it does. What a session
// says of email_verified is judged here too, so every session source reads it the same way.
export const MAX_EMAIL_LENGTH = 254;

// Controls, format characters (zero-width, bidi), whitespace, separators; code points that render as
// nothing (default-ignorable: variation selectors, Hangul fillers, the combining grapheme joiner);
// private-use and unassigned code points; U+2800, a blank glyph that is none of those.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Z}\s\p{Default_Ignorable_Code_Point}\p{Co}\p{Cn}\u2800]/u;
// A combining mark must sit on a letter (or another mark): alone it decorates "@" or ".".
const LONE_MARK = /(?:^|[^\p{L}\p{M}])\p{M}/u;

export function isAcceptableEmail(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (value.length < 3 || value.length > MAX_EMAIL_LENGTH) return false;
  // Lone surrogates have no UTF-8 form: two such strings could collapse into one login id downstream.
  if (!value.isWellFormed() || FORBIDDEN.test(value) || LONE_MARK.test(value)) return false;
  // One form only: an address that NFKC changes (fullwidth letters, ligatures, superscripts, or
  // anything not NFC) could name the same account two ways once a system downstream folds it.
  if (value.normalize('NFKC') !== value) return false;
  const at = value.indexOf('@');
  if (at <= 0 || at !== value.lastIndexOf('@') || at === value.length - 1) return false;
  const domain = value.slice(at + 1);
  return !domain.startsWith('.') && !domain.endsWith('.') && !domain.includes('..');
}

/**
 * What a session's email_verified says: only boolean true is "yes" (PHP, Rails and Django often
 * send "false", "0" or 0, which must not read as verified); absent is "unstated". Cognito is the one
 * issuer known to send the string "true", so its caller opts into that spelling.
 */
export function emailVerifiedClaim(
  claims: Readonly<Record<string, unknown>>,
  options: { readonly stringTrueCounts?: boolean } = {},
): 'yes' | 'no' | 'unstated' {
  if (!Object.hasOwn(claims, 'email_verified')) return 'unstated';
  const value = claims.email_verified;
  return value === true || (options.stringTrueCounts === true && value === 'true') ? 'yes' : 'no';
}
