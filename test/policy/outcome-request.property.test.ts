// Properties of the outcome route's input (fast-check). Whatever the body: a valid request or a
// 400 refusal, never a throw. Whatever the token (real ones for other users, forgeries, mutations
// of real ones, noise): accepted only when it is a token we issued to this very user.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkOutcomeToken,
  MAX_OUTCOME_BODY_BYTES,
  MAX_OUTCOME_DETAIL_LENGTH,
  parseOutcomeRequest,
} from '../../functions/generate-auth-token/policy/outcome-request.ts';
import { ENROLLMENT_OUTCOMES } from '../../functions/generate-auth-token/policy/prompt-policy.ts';
import { propertyRuns } from '../support/fast-check-runs.ts';
import { type OutcomeTokenIssuer, outcomeTokenIssuer, subjectFor } from '../support/outcome-tokens.ts';

const anyUtf16 = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
});
const fieldValue = fc.oneof(
  fc.constantFrom(...ENROLLMENT_OUTCOMES, 'Enrolled', '__proto__', 'toString', ''),
  fc.string({ maxLength: 300 }),
  anyUtf16,
  fc.jsonValue(),
);
const fieldName = fc.constantFrom('outcome', 'token', 'detail', '__proto__', 'constructor', 'extra');
/** Objects shaped like reports, written as JSON text (with `__proto__` as a real own member). */
const reportLike = fc
  .array(fc.tuple(fieldName, fieldValue), { maxLength: 5 })
  .map(
    (members) =>
      `{${members.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`,
  );
const anyBody = fc.oneof(
  fc.constant(null),
  fc.string(),
  anyUtf16,
  fc.json(),
  reportLike,
  fc.string({ minLength: MAX_OUTCOME_BODY_BYTES - 10, maxLength: MAX_OUTCOME_BODY_BYTES + 10 }),
);

describe('parseOutcomeRequest, whatever the body', () => {
  it('returns a valid request or a 400 refusal, never throws', () => {
    fc.assert(
      fc.property(anyBody, fc.boolean(), (input, base64) => {
        const wire = base64 && input !== null ? Buffer.from(input).toString('base64') : input;
        const result = parseOutcomeRequest(wire, base64);
        if (!result.ok) {
          expect(result.refusal).toMatchObject({ status: 400, reason: 'malformed_body' });
          return;
        }
        expect(Buffer.byteLength(input ?? '')).toBeLessThanOrEqual(MAX_OUTCOME_BODY_BYTES);
        const { value } = result;
        expect(ENROLLMENT_OUTCOMES).toContain(value.outcome);
        expect(Object.keys(value).every((key) => ['outcome', 'token', 'detail'].includes(key))).toBe(true);
        if (value.outcome === 'ineligible') expect(value).not.toHaveProperty('token');
        else expect(typeof value.token === 'string' && value.token.length > 0).toBe(true);
        if (value.detail !== undefined)
          expect(value.detail.length).toBeLessThanOrEqual(MAX_OUTCOME_DETAIL_LENGTH);
      }),
      { numRuns: propertyRuns(3000) },
    );
  });

  it('agrees with a plain reading of the contract on report-shaped objects', () => {
    fc.assert(
      fc.property(
        fc.record({ outcome: fieldValue, token: fieldValue, detail: fieldValue }, { requiredKeys: [] }),
        (report) => {
          const { outcome, token, detail } = report;
          const detailOk =
            !('detail' in report) ||
            (typeof detail === 'string' &&
              detail.length <= MAX_OUTCOME_DETAIL_LENGTH &&
              detail.isWellFormed());
          const outcomeOk =
            typeof outcome === 'string' && (ENROLLMENT_OUTCOMES as readonly string[]).includes(outcome);
          const tokenOk = outcome === 'ineligible' || (typeof token === 'string' && token !== '');
          const text = JSON.stringify(report);
          const fits = Buffer.byteLength(text) <= MAX_OUTCOME_BODY_BYTES;
          expect(parseOutcomeRequest(text).ok).toBe(fits && detailOk && outcomeOk && tokenOk);
        },
      ),
      { numRuns: propertyRuns(2000) },
    );
  });
});

describe('checkOutcomeToken, whatever the token', () => {
  const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
  const ADA = 'ada@example.com';
  const OTHERS = ['bob@example.com', 'Ada@example.com', 'ada@example.com ', 'Email:ada@example.com'];
  let ownid: OutcomeTokenIssuer;
  let stranger: OutcomeTokenIssuer;
  let givenToAda: Set<string>;
  let pool: string[];

  beforeAll(async () => {
    ownid = await outcomeTokenIssuer();
    stranger = await outcomeTokenIssuer('stranger');
    const ages = [0, 60, 899, 901, 86_400];
    const adas = ages.map((age) => ownid.issue(ADA, NOW - age * 1000));
    givenToAda = new Set(adas.filter((_, index) => (ages[index] ?? 0) <= 900));
    pool = [
      ...adas,
      ...OTHERS.map((email) => ownid.issue(email, NOW)),
      ownid.issue(ADA, NOW, 'session-creation'),
      stranger.issue(ADA, NOW),
    ];
  });

  const segmentOf = (token: string, index: number) => token.split('.')[index] ?? '';
  /** A real token, another one's segments spliced in, a character changed, or noise. */
  const candidate = () =>
    fc.oneof(
      fc.nat().map((index) => pool[index % pool.length]!),
      fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 2 })).map(([a, b, c, keep]) => {
        const [x, y, z] = [a, b, c].map((index) => pool[index % pool.length]!);
        return [
          segmentOf(x!, 0),
          segmentOf(keep === 1 ? x! : y!, 1),
          segmentOf(keep === 2 ? x! : z!, 2),
        ].join('.');
      }),
      fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...'AbZ09-_.=*')).map(([index, at, char]) => {
        const token = pool[index % pool.length]!;
        const position = at % token.length;
        return token.slice(0, position) + char + token.slice(position + 1);
      }),
      fc.string(),
      anyUtf16,
    );

  it('accepts only a token we issued to this user in the last 15 minutes, and never throws', () => {
    fc.assert(
      fc.property(candidate(), (token) => {
        const result = checkOutcomeToken(token, subjectFor(ADA), ownid.publicKey, NOW);
        if (result.ok) {
          expect(givenToAda.has(token)).toBe(true);
        } else {
          expect([
            { status: 403, reason: 'token_mismatch' },
            { status: 400, reason: 'token_too_old' },
          ]).toContainEqual({ status: result.refusal.status, reason: result.refusal.reason });
          // Age is only ever told about our own token for this user.
          if (result.refusal.reason === 'token_too_old') expect(pool.slice(0, 5)).toContain(token);
        }
      }),
      { numRuns: propertyRuns(3000) },
    );
  });
});
