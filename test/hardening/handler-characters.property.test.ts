// Property tests of the handler on the characters of a request (fast-check): ES256 signatures of any
// length, introspection cookie values of any byte, and emails with invisible or compatibility characters.
// Every answer also holds test/support/handler-properties.ts' invariants (invokeChecked).
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { restEvent } from '../support/events.ts';
import { issuerClaims } from '../support/forged-tokens.ts';
import { cookieChar } from '../support/handler-arbitraries.ts';
import {
  audit,
  COMBINING_MARKS,
  es256Ada,
  fn,
  invokeChecked,
  LOOK_ALIKE_CHARS,
  output,
  setUpHandlerProperties,
  site,
  stand,
  VALID_SID,
} from '../support/handler-properties.ts';
import { ISSUER_KID } from '../support/scenario.ts';
import { sessionJwt } from '../support/tokens.ts';

const RUNS = {
  es256: 400,
  cookieBytes: 600,
  emails: 200,
} as const;

setUpHandlerProperties();

describe('handler properties: characters', () => {
  it(`ES256 with a signature of any length 0..80, as bearer or cookie: 401, never a 5xx (${RUNS.es256} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 80 }), fc.boolean(), async (bytes, asCookie) => {
        const token = `${es256Ada.split('.').slice(0, 2).join('.')}.${randomBytes(bytes).toString('base64url')}`;
        const headers: Record<string, string> = asCookie
          ? { Cookie: `app_session=${token}` }
          : { Authorization: `Bearer ${token}` };
        const logsBefore = fn.logs.length;
        const result = await invokeChecked(restEvent({ headers }));
        expect(result.statusCode).toBe(401);
        const line = JSON.parse(fn.logs[logsBefore] ?? '{}') as Record<string, unknown>;
        expect(line.outcome).toBe(bytes === 0 ? 'malformed' : 'bad_signature');
      }),
      { numRuns: RUNS.es256 },
    );
  }, 60_000);

  it(`introspection cookie values of any character: forwarded as sent only when printable ASCII, else 401 malformed with no request (${RUNS.cookieBytes} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: cookieChar, maxLength: 24 }), async (value) => {
        const asked = site.received.length;
        const logsBefore = fn.logs.length;
        const result = await invokeChecked(restEvent({ headers: { Cookie: `connect.sid=${value}` } }));
        const raw = value.trim();
        const outcome = (JSON.parse(fn.logs[logsBefore] ?? '{}') as { outcome?: string }).outcome;
        if (raw !== '' && !/^[\x20-\x7e]*$/.test(raw)) {
          expect([result.statusCode, outcome]).toEqual([401, 'malformed']);
          expect(site.received.length).toBe(asked);
        } else if (raw !== '') {
          expect(site.received.at(-1)?.cookie).toBe(`connect.sid=${raw}`);
          expect(result.statusCode).toBe(raw === VALID_SID ? 200 : 401);
        }
      }),
      { numRuns: RUNS.cookieBytes },
    );
  }, 60_000);

  it(`emails with invisible or compatibility characters anywhere, or a lone combining mark, are 403 email_invalid (${RUNS.emails} runs)`, async () => {
    const email = fc.oneof(
      fc
        .tuple(fc.constantFrom(...LOOK_ALIKE_CHARS), fc.nat({ max: 15 }))
        .map(([char, at]) => `ada@example.com`.slice(0, at) + char + `ada@example.com`.slice(at)),
      fc
        .tuple(fc.constantFrom(...COMBINING_MARKS), fc.constantFrom(0, 4, 12))
        .map(([mark, at]) => `ada@example.com`.slice(0, at) + mark + `ada@example.com`.slice(at)),
    );
    await fc.assert(
      fc.asyncProperty(email, async (address) => {
        const token = await sessionJwt(issuerClaims({ email: address }), stand.issuerKey.privateKey, {
          kid: ISSUER_KID,
        });
        audit.noteSecret(token);
        const logsBefore = fn.logs.length;
        const result = await invokeChecked(restEvent({ headers: { Authorization: `Bearer ${token}` } }));
        expect(result.statusCode).toBe(403);
        expect((JSON.parse(fn.logs[logsBefore] ?? '{}') as { outcome?: string }).outcome).toBe(
          'email_invalid',
        );
      }),
      { numRuns: RUNS.emails },
    );
  }, 60_000);

  it('logged nothing secret', () => {
    expect(audit.findProblems(fn.logs)).toEqual([]);
    expect(audit.findProblems(output.lines)).toEqual([]);
  });
});
