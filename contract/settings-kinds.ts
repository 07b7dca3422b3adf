// The pieces every row of the settings table (contract/settings.ts) is made of: the kinds of value, the
// shape of a row, and the value lists the rows share with the code that reads them.
import type { PatternName } from './patterns.ts';

/** Claim profiles of the issued token (docs/contract.md): OwnID's default, or session creation. */
export const TOKEN_PROFILES = ['default', 'session-creation'] as const;
export type TokenProfile = (typeof TOKEN_PROFILES)[number];
export const isTokenProfile = (value: string): value is TokenProfile =>
  (TOKEN_PROFILES as readonly string[]).includes(value);

/** After `enrolled`: keep asking on the user's other devices, or stop asking everywhere. */
export const AFTER_ENROLLED = ['other-devices', 'stop'] as const;
export type AfterEnrolled = (typeof AFTER_ENROLLED)[number];
export const isAfterEnrolled = (value: string): value is AfterEnrolled =>
  (AFTER_ENROLLED as readonly string[]).includes(value);

/** Lifetime of an issued token in seconds; a session-creation grant lives no longer than the cap. */
export const TOKEN_TTL_SECONDS = { min: 10, max: 300, default: 60 } as const;

/** The windows AWS WAF accepts for a rate-based rule, in seconds. */
export const WAF_EVALUATION_WINDOWS = [60, 120, 300, 600] as const;

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** What a value is: `url` and `enum` are strings (or integers, for an enum of numbers) with a rule. */
export type Kind = 'string' | 'list' | 'integer' | 'number' | 'boolean' | 'enum' | 'url';

export interface Setting {
  readonly kind: Kind;
  /** The Lambda environment variable the function reads. */
  readonly env?: string;
  /** `prop`: a CDK context key and the EnrollmentTokenApi prop of the same name; `context`: the app's only. */
  readonly cdk?: 'prop' | 'context';
  /** The value used when the setting is absent. */
  readonly default?: string | number | boolean;
  /** What happens when absent, where that is behaviour rather than a value (per table when they differ). */
  readonly unset?: string | { readonly env: string; readonly context: string };
  /** integer: inclusive bounds; number: above `min`, at most `max`. */
  readonly min?: number;
  readonly max?: number;
  /** number: what it counts, in its refusal. */
  readonly unit?: string;
  /** enum: the allowed values. */
  readonly values?: readonly (string | number)[];
  /** enum: the refusal's rule, when "must be one of" says too little. */
  readonly valuesRule?: string;
  /** url: the function also accepts http on loopback (local stand-ins); the stack always wants https. */
  readonly loopbackHttp?: true;
  /** string: the pattern of the value; list: of each item. */
  readonly pattern?: PatternName;
  /** string: an empty value is refused (omitting it gives the default). */
  readonly nonEmpty?: true;
  /** Appended to the stack's refusal: why the range is what it is. */
  readonly hint?: string;
  readonly doc: string;
}
