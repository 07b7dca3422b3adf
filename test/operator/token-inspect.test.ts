// npm run token:inspect: real tokens signed by the function's signer (and deliberately wrong ones),
// read back in words: header, claims with human times, and every problem named.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  importOwnIdPrivateKey,
  parseTokenConfig,
  signEnrollmentToken,
} from '../../functions/generate-auth-token/operator-api.ts';
import {
  formatInspection,
  inspectToken,
  relative,
  TokenFormatError,
} from '../../scripts/operator/token-inspection.ts';
import { rsaKey } from '../support/keys.ts';
import { runCli, runNpmScript } from '../support/operator-cli.ts';
import { rawSignedJwt } from '../support/tokens.ts';

const key = rsaKey('inspect');
const otherKey = rsaKey('inspect-other');
const NOW = 1_795_000_000; // a fixed clock for the pure checks
const DEFAULT = parseTokenConfig({});
const SESSION_CREATION = parseTokenConfig({
  TOKEN_PROFILE: 'session-creation',
  TOKEN_SITE_URL: 'https://shop.example.com',
});

const dir = mkdtempSync(join(tmpdir(), 'ownid-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function keyFile(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

const signed = async (config = DEFAULT, now = NOW, email = 'ada@example.com') =>
  signEnrollmentToken(email, await importOwnIdPrivateKey(key.pkcs1Pem), config, now);

beforeEach(() => {
  for (const name of ['TOKEN_PROFILE', 'TOKEN_ISSUER', 'TOKEN_AUDIENCE', 'TOKEN_SITE_URL'])
    vi.stubEnv(name, undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('inspectToken (frozen clock)', () => {
  it('finds nothing wrong with a fresh default token verified with the right key', async () => {
    const inspection = inspectToken(await signed(), DEFAULT, NOW + 5, key.publicKey);
    expect(inspection.problems).toEqual([]);
    expect(inspection.findings.map((f) => f.text)).toEqual([
      'alg RS256',
      'typ JWT',
      'not expired (in 55 s)',
      'issued 5 s ago',
      'lifetime 60 s',
      'iss "OwnID"',
      'aud "OwnID"',
      'jti present',
      'default profile',
      'sub is an email',
      'signature verifies with the given public key',
    ]);
  });

  it('finds nothing wrong with a fresh session-creation token', async () => {
    const inspection = inspectToken(await signed(SESSION_CREATION), SESSION_CREATION, NOW, key.publicKey);
    expect(inspection.problems).toEqual([]);
    expect(inspection.findings.map((f) => f.text)).toContain('sessionCreation grant valid (in 60 s)');
    expect(inspection.findings.map((f) => f.text)).toContain('sub "Email:<email>"');
  });

  it.each([
    ['expired', async () => inspectToken(await signed(), DEFAULT, NOW + 300), ['expired 4 min 0 s ago']],
    [
      'issued in the future',
      async () => inspectToken(await signed(DEFAULT, NOW + 120), DEFAULT, NOW),
      ["issued in the future (in 2 min 0 s): the signer's clock is ahead"],
    ],
    [
      'wrong aud',
      async () => inspectToken(await signed(), { ...DEFAULT, audience: 'https://shop.example.com' }, NOW),
      ['wrong aud "OwnID"; expected "https://shop.example.com"'],
    ],
    [
      'wrong iss',
      async () => inspectToken(await signed(), { ...DEFAULT, issuer: 'Shop' }, NOW),
      ['wrong iss "OwnID"; expected "Shop"'],
    ],
    [
      'a session-creation token where default is expected',
      async () => inspectToken(await signed(SESSION_CREATION), DEFAULT, NOW),
      [
        'wrong iss "https://shop.example.com"; expected "OwnID"',
        'wrong aud "https://shop.example.com"; expected "OwnID"',
        'wrong profile: this is a session-creation token, the settings expect default (TOKEN_PROFILE)',
      ],
    ],
    [
      'a default token where session-creation is expected',
      async () => inspectToken(await signed(), SESSION_CREATION, NOW),
      [
        'wrong iss "OwnID"; expected "https://shop.example.com"',
        'wrong aud "OwnID"; expected "https://shop.example.com"',
        'wrong profile: this is a default token, the settings expect session-creation (TOKEN_PROFILE)',
        'sub "ada@example.com" should be "Email:<email>"',
        'authorization_details has no {"type": "sessionCreation"} grant',
      ],
    ],
    [
      'a signature by another key',
      async () => inspectToken(await signed(), DEFAULT, NOW, otherKey.publicKey),
      ['signature does not verify with the given public key (signed with another key, or altered)'],
    ],
    [
      'the wrong user',
      async () => inspectToken(await signed(), { ...DEFAULT, email: 'grace@example.com' }, NOW),
      ['sub is for "ada@example.com", not grace@example.com'],
    ],
  ])('names the problem: %s', async (_label, inspect, problems) => {
    const inspection = await inspect();
    for (const problem of problems) expect(inspection.problems).toContain(problem);
    expect(inspection.problems).toHaveLength(problems.length);
  });

  it('names an HS256 header, a day-long lifetime and a missing jti', () => {
    const token = rawSignedJwt(
      { alg: 'HS256', typ: 'JWT' },
      { iss: 'OwnID', aud: 'OwnID', sub: 'ada@example.com', iat: NOW, exp: NOW + 86_400 },
      key.privateKey,
    );
    const inspection = inspectToken(token, DEFAULT, NOW, key.publicKey);
    expect(inspection.problems).toEqual([
      'alg is "HS256"; OwnID expects RS256',
      'lifetime 86400 s (exp - iat); expected 1 to 300 s',
      'jti is missing (every token carries a fresh one)',
      'signature does not verify with the given public key (signed with another key, or altered)',
    ]);
  });

  it('says in words how far a time is', () => {
    expect([
      relative(NOW + 45, NOW),
      relative(NOW - 185, NOW),
      relative(NOW - 7300, NOW),
      relative(NOW + 3 * 86_400, NOW),
    ]).toEqual(['in 45 s', '3 min 5 s ago', '2 h 1 min ago', 'in 3 days']);
  });
});

describe('npm run token:inspect', () => {
  it('prints header, claims with ISO times, and exits 0 for a good token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signed(DEFAULT, now);
    // A private key file works too: its public half is taken.
    const result = await runCli('token:inspect', [
      token,
      '--public-key',
      keyFile('private.pem', key.pkcs1Pem),
    ]);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain(
      'Expected: default profile, iss "OwnID", aud "OwnID" (the contract\'s defaults)',
    );
    expect(result.stdout).toContain('  alg: "RS256"');
    expect(result.stdout).toContain(
      `  iat: ${now}  ${new Date(now * 1000).toISOString().replace('.000Z', 'Z')}`,
    );
    expect(result.stdout).toContain(
      `  exp: ${now + 60}  ${new Date((now + 60) * 1000).toISOString().replace('.000Z', 'Z')} (in `,
    );
    expect(result.stdout).toContain('✓ signature verifies with the given public key');
    expect(result.stdout).toContain('✓ nothing wrong found');
  });

  it('exits 1 and lists the problems; flags and TOKEN_* set the expectation', async () => {
    const token = await signed(DEFAULT, Math.floor(Date.now() / 1000) - 600);
    const byFlag = await runCli('token:inspect', [
      token,
      '--profile',
      'session-creation',
      '--site-url',
      'https://shop.example.com',
    ]);
    expect(byFlag.code).toBe(1);
    expect(byFlag.stdout).toContain(
      'Expected: session-creation profile, iss "https://shop.example.com", aud "https://shop.example.com" (flags)',
    );
    expect(byFlag.stderr).toMatch(
      /^✗ 6 problem\(s\): expired (9 min|10 min) \d+ s ago; wrong iss "OwnID"; expected "https:\/\/shop.example.com"; wrong aud/,
    );
    expect(byFlag.stderr).toContain(
      'wrong profile: this is a default token, the settings expect session-creation',
    );
    expect(byFlag.stdout).toContain('  - signature not checked: pass --public-key <file>');

    const byEnv = await runCli('token:inspect', [token], { env: { TOKEN_AUDIENCE: 'shop' } });
    expect(byEnv.stdout).toContain('aud "shop" (TOKEN_* variables)');
    expect(byEnv.stderr).toContain('wrong aud "OwnID"; expected "shop"');
  });

  it('escapes control characters a hostile token carries', async () => {
    const token = rawSignedJwt(
      { alg: 'RS256' },
      { sub: 'x\u001b[2J\u009b31m@evil', 'na\u001bme': 1 },
      key.privateKey,
    );
    const result = await runCli('token:inspect', [token]);
    const controls = [...result.output].filter((char) => {
      const code = char.codePointAt(0) ?? 0;
      return (code < 0x20 && char !== '\n') || (code >= 0x7f && code <= 0x9f);
    });
    expect(controls).toEqual([]);
    expect(result.stdout).toContain('\\u001b[2J\\u009b31m@evil');
  });

  it.each([
    [['not-a-token'], 1, 'not a readable JWT: a JWT has 3 dot-separated parts, this has 1'],
    [['a.b.c.d.e'], 1, 'this has 5 (an encrypted JWE?)'],
    [['eyJ.e30.'], 1, 'not a readable JWT: the header is not base64url-encoded JSON'],
    [[], 2, 'pass the token (or "-" to read it from stdin)'],
    [
      ['x.y.z', '--profile', 'fancy'],
      2,
      'TOKEN_PROFILE must be "default" or "session-creation", got "fancy"',
    ],
    [
      ['x.y.z', '--public-key', '/nonexistent/key.pem'],
      1,
      'cannot read the public key file /nonexistent/key.pem (ENOENT)',
    ],
  ])('refuses %j clearly', async (args, code, message) => {
    const result = await runCli('token:inspect', args);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
  });

  it('reads the token from stdin through npm, with a Bearer prefix as copied from devtools', async () => {
    const token = await signed(DEFAULT, Math.floor(Date.now() / 1000));
    const result = await runNpmScript(
      'token:inspect',
      ['-', '--public-key', keyFile('public.pem', key.publicPem)],
      {
        env: { PATH: process.env.PATH },
        stdin: `Bearer ${token}\n`,
      },
    );
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('✓ nothing wrong found');
  });
});

describe('inspectToken on any input (fast-check)', () => {
  const segment = fc.oneof(
    fc.string(),
    fc.json().map((json) => Buffer.from(json).toString('base64url')),
    fc
      .dictionary(
        fc.string(),
        fc.oneof(fc.string(), fc.double(), fc.integer(), fc.constant(null), fc.array(fc.anything())),
      )
      .map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
  );
  it('either says the JWT is unreadable or reports findings, and prints no control character', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.tuple(segment, segment, fc.string()).map((parts) => parts.join('.')),
        ),
        (token) => {
          let lines: string[];
          try {
            const inspection = inspectToken(token, DEFAULT, NOW, key.publicKey);
            expect(inspection.problems.length).toBe(inspection.findings.filter((f) => !f.ok).length);
            lines = formatInspection(inspection, NOW);
          } catch (error) {
            expect(error).toBeInstanceOf(TokenFormatError);
            return;
          }
          for (const line of lines) {
            for (const char of line) {
              const code = char.codePointAt(0) ?? 0;
              expect(code < 0x20 || (code >= 0x7f && code <= 0x9f)).toBe(false);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
