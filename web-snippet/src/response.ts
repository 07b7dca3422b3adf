/** The body of a 200 from the token endpoint. */
export interface EnrollmentToken {
  readonly email: string;
  readonly token: string;
}

const isFilled = (value: unknown): value is string => typeof value === 'string' && !!value.trim();

/** `{email, token}` when both are non-empty strings (own properties of a JSON object), else undefined. */
export function parseTokenResponse(body: unknown): EnrollmentToken | undefined {
  // Own properties only, so a polluted Object.prototype cannot supply an email or a token; null and
  // primitives copy nothing.
  const { email, token }: Record<string, unknown> = Object.assign(Object.create(null), body);
  return isFilled(email) && isFilled(token) ? { email, token } : undefined;
}
