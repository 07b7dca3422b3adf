// Property tests of the whole handler (fast-check, 10,000 runs in total). Whatever the
// method, headers, cookies, body or token-shaped strings (mutations of valid tokens included):
// the handler never throws, answers only statuses of docs/contract.md, Responses, with their exact bodies, 204 only
// to a preflight from an allowed origin, and 200 only when the request carried a session that an
// independent verifier (jose, against the issuers' public keys) accepts for that very email.
// The invariants are test/support/handler-properties.ts' invokeChecked; handler-characters.property.test.ts
// has the properties of signature lengths, cookie bytes and email characters.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { restEvent } from '../support/events.ts';
import { arbitraryEvent, base64urlChar, mutation } from '../support/handler-arbitraries.ts';
import {
  AMPLIFY,
  audit,
  FOREIGN_ORIGINS,
  fn,
  invalidTokens,
  invokeChecked,
  output,
  setUpHandlerProperties,
  stats,
  valid,
  validTokens,
} from '../support/handler-properties.ts';
import { ALLOWED_ORIGINS } from '../support/hardening-assertions.ts';
import { COGNITO_ISSUER } from '../support/scenario.ts';
import { decodeJwt } from '../support/tokens.ts';

const RUNS = {
  arbitrary: 3000,
  mutations: 3000,
  model: 4000,
} as const;

setUpHandlerProperties();

describe('handler properties', () => {
  it(`arbitrary requests: never throws, contract statuses and bodies only, 200 only for a verifiable session (${RUNS.arbitrary} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryEvent, async (event) => {
        await invokeChecked(event);
      }),
      { numRuns: RUNS.arbitrary },
    );
  }, 60_000);

  it(`mutations of valid tokens as bearer or cookie: 200 only if the mutated token still verifies (${RUNS.mutations} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        mutation,
        fc.constantFrom('bearer', 'cookie', 'amplify'),
        fc.constantFrom<string | undefined>(undefined, ...ALLOWED_ORIGINS),
        async (m, carrier, origin) => {
          const headers: Record<string, string> =
            carrier === 'bearer'
              ? { Authorization: `Bearer ${m.mutated}` }
              : {
                  Cookie:
                    carrier === 'cookie' ? `app_session=${m.mutated}` : `${AMPLIFY}.ada.idToken=${m.mutated}`,
                };
          if (origin !== undefined) headers.Origin = origin;
          const result = await invokeChecked(restEvent({ headers }));
          expect([200, 401, 403, 503]).toContain(result.statusCode);
          // invokeChecked already requires a 200 to carry a token jose verifies for that email.
          if (result.statusCode === 200) stats.issuedFromMutation += 1;
          // A mutation that leaves the token unchanged must still work: the corpus of refusals is not a verifier that refuses everything.
          // (Amplify cookie names carry Cognito tokens only: the generic issuer's token there is refused.)
          const foreignInAmplify = carrier === 'amplify' && decodeJwt(m.token).payload.iss !== COGNITO_ISSUER;
          if (m.mutated === m.token) expect(result.statusCode).toBe(foreignInAmplify ? 401 : 200);
        },
      ),
      { numRuns: RUNS.mutations },
    );
  }, 60_000);

  it(`model: method x origin x Authorization x cookies gives exactly the modelled status and email (${RUNS.model} runs)`, async () => {
    type Auth =
      | { kind: 'none' }
      | { kind: 'valid'; index: number; scheme: string }
      | { kind: 'invalid'; value: string }
      | { kind: 'two' };
    type Cookie =
      | { kind: 'none' }
      | { kind: 'unrelated' }
      | { kind: 'valid'; index: number; amplify: boolean }
      | { kind: 'invalid'; value: string }
      | { kind: 'conflict' };
    const auth: fc.Arbitrary<Auth> = fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.record({
        kind: fc.constant('valid' as const),
        index: fc.nat({ max: 5 }),
        scheme: fc.constantFrom('Bearer', 'bearer', 'BEARER'),
      }),
      fc
        .oneof(
          fc.nat().map((i) => `Bearer ${invalidTokens[i % invalidTokens.length]}`),
          fc.constantFrom('Basic YTpi', 'Bearer', '', 'Bearer  x.y.z'),
        )
        .map((value) => ({ kind: 'invalid' as const, value })),
      fc.constant({ kind: 'two' as const }),
    );
    const cookieChoice: fc.Arbitrary<Cookie> = fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.constant({ kind: 'unrelated' as const }),
      fc.record({ kind: fc.constant('valid' as const), index: fc.nat({ max: 5 }), amplify: fc.boolean() }),
      fc
        .nat()
        .map((i) => ({ kind: 'invalid' as const, value: invalidTokens[i % invalidTokens.length] ?? '' })),
      fc.constant({ kind: 'conflict' as const }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'POST', 'POST', 'post', 'OPTIONS', 'GET', 'PUT', 'PATCH'),
        fc.constantFrom<string | undefined>(undefined, ...ALLOWED_ORIGINS, ...FOREIGN_ORIGINS),
        auth,
        cookieChoice,
        fc.array(
          fc.tuple(
            fc.constantFrom('theme', 'lang', 'csrf', '_ga'),
            fc.string({ unit: base64urlChar, maxLength: 12 }),
          ),
          { maxLength: 5 },
        ),
        async (httpMethod, origin, a, c, filler) => {
          const headers: Record<string, string> = {};
          const multiValueHeaders: Record<string, string[]> = {};
          if (origin !== undefined) headers.Origin = origin;
          // Amplify cookies carry Cognito tokens (odd indexes); app_session carries any token.
          const validIndex = (index: number, amplify: boolean) => (amplify ? index - (index % 2) + 1 : index);
          if (a.kind === 'valid') headers.Authorization = `${a.scheme} ${validTokens[a.index]}`;
          if (a.kind === 'invalid') headers.Authorization = a.value;
          if (a.kind === 'two')
            multiValueHeaders.Authorization = [`Bearer ${validTokens[0]}`, `Bearer ${validTokens[2]}`];
          const cookies = filler.map(([n, v]) => `${n}=${v}`);
          if (c.kind === 'valid') {
            const token = validTokens[validIndex(c.index, c.amplify)];
            cookies.push(c.amplify ? `${AMPLIFY}.someone.idToken=${token}` : `app_session=${token}`);
          }
          if (c.kind === 'invalid') cookies.push(`app_session=${c.value}`);
          if (c.kind === 'conflict')
            cookies.push(`app_session=${validTokens[0]}`, `app_session=${validTokens[2]}`);
          if (cookies.length > 0) headers.Cookie = cookies.join('; ');

          const result = await invokeChecked(restEvent({ method: httpMethod, headers, multiValueHeaders }));

          const allowed = origin !== undefined && (ALLOWED_ORIGINS as readonly string[]).includes(origin);
          let expected: { status: number; email?: string };
          const m = httpMethod.toUpperCase();
          if (m === 'OPTIONS') expected = { status: allowed ? 204 : 403 };
          else if (m !== 'POST') expected = { status: 405 };
          else if (a.kind === 'valid')
            expected = { status: 200, email: valid.get(validTokens[a.index] ?? '') };
          else if (a.kind !== 'none') expected = { status: 401 };
          else if (c.kind === 'none' || c.kind === 'unrelated') expected = { status: 401 };
          else if (origin !== undefined && !allowed) expected = { status: 403 };
          else if (c.kind === 'valid')
            expected = { status: 200, email: valid.get(validTokens[validIndex(c.index, c.amplify)] ?? '') };
          else expected = { status: 401 };

          expect(result.statusCode).toBe(expected.status);
          if (expected.email !== undefined) expect(JSON.parse(result.body).email).toBe(expected.email);
          expect(result.headers['Access-Control-Allow-Origin']).toBe(allowed ? origin : undefined);
        },
      ),
      { numRuns: RUNS.model },
    );
  }, 60_000);

  it('ran 10,000 checked invocations, issued tokens only where verified, and logged nothing secret', () => {
    expect(RUNS.arbitrary + RUNS.mutations + RUNS.model).toBeGreaterThanOrEqual(10_000);
    expect(stats.invocations).toBeGreaterThanOrEqual(10_000);
    expect(stats.issued).toBeGreaterThan(500);
    expect(stats.issuedFromMutation).toBeGreaterThan(0);
    expect(audit.findProblems(fn.logs)).toEqual([]);
    expect(audit.findProblems(output.lines)).toEqual([]);
  });
});
