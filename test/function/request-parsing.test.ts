import { describe, expect, it } from 'vitest';
import { corsHeaders } from '../../functions/generate-auth-token/cors.ts';
import { isAcceptableEmail } from '../../functions/generate-auth-token/email.ts';
import { parseCookies, readEnrollmentRequest } from '../../functions/generate-auth-token/http-request.ts';
import { restEvent } from '../support/events.ts';

describe('readEnrollmentRequest', () => {
  it('matches header names case-insensitively in both header maps', () => {
    const request = readEnrollmentRequest(
      restEvent({ headers: { AUTHORIZATION: 'Bearer a.b.c', oRiGiN: 'https://x.test', COOKIE: 'a=1' } }),
    );
    expect(request.authorization).toEqual(['Bearer a.b.c']);
    expect(request.origin).toBe('https://x.test');
    expect(request.cookies.get('a')).toBe('1');
  });

  it('keeps every Authorization value from multiValueHeaders', () => {
    const request = readEnrollmentRequest(
      restEvent({ multiValueHeaders: { Authorization: ['Bearer a.b.c', 'Bearer d.e.f'] } }),
    );
    expect(request.authorization).toHaveLength(2);
  });

  it('flags oversized headers instead of parsing them', () => {
    const request = readEnrollmentRequest(restEvent({ headers: { Cookie: `s=${'x'.repeat(17_000)}` } }));
    expect(request.oversized).toBe(true);
    expect(request.cookies.size).toBe(0);
  });

  it('survives events without header maps', () => {
    const request = readEnrollmentRequest({
      httpMethod: 'POST',
      headers: null as never,
      multiValueHeaders: null as never,
    });
    expect(request).toMatchObject({ method: 'POST', authorization: [], origin: undefined });
  });
});

describe('parseCookies', () => {
  it('decodes, unquotes, skips pairs without a name and is prototype-safe', () => {
    const jar = parseCookies(['a=1; b="two"; noequals; =x; c=%41%42; __proto__=p; constructor=c', 'd=4']);
    expect(jar.get('a')).toBe('1');
    expect(jar.get('b')).toBe('two');
    expect(jar.get('c')).toBe('AB');
    expect(jar.getRaw('c')).toBe('%41%42');
    expect(jar.get('__proto__')).toBe('p');
    expect(jar.get('toString')).toBeUndefined();
    expect(jar.get('d')).toBe('4');
  });

  it('marks a name sent twice with different values as ambiguous', () => {
    const jar = parseCookies(['s=one; s=two; t=same; t=same']);
    expect(jar.get('s')).toBeUndefined();
    expect(jar.isAmbiguous('s')).toBe(true);
    expect(jar.get('t')).toBe('same');
  });
});

describe('corsHeaders', () => {
  const allowed = ['https://app.example.com'];
  it('echoes only an exact allowed origin, with credentials', () => {
    expect(corsHeaders('https://app.example.com', allowed)).toEqual({
      'Access-Control-Allow-Origin': 'https://app.example.com',
      'Access-Control-Allow-Credentials': 'true',
      // The page may read why it was skipped and when to retry.
      'Access-Control-Expose-Headers': 'Enrollment-Skip, Retry-After',
      Vary: 'Origin',
    });
    for (const origin of [
      'https://app.example.com.evil.test',
      'http://app.example.com',
      'https://app.example.com:8443',
      'null',
      undefined,
    ]) {
      expect(corsHeaders(origin, allowed)).toEqual({ Vary: 'Origin' });
    }
  });
});

describe('isAcceptableEmail', () => {
  it.each(['ada@example.com', 'a.b+tag@sub.example.co.uk', 'аda@example.com', 'jürgen@bücher.de'])(
    'accepts %s',
    (email) => {
      expect(isAcceptableEmail(email)).toBe(true);
    },
  );
  it.each([
    ['CRLF', 'ada@example.com\r\nBcc: x@y.z'],
    ['no @', 'ada.example.com'],
    ['two @', 'ada@b@example.com'],
    ['leading @', '@example.com'],
    ['trailing @', 'ada@'],
    ['zero-width space', 'ada\u200b@example.com'],
    ['bidi override', 'ada\u202e@example.com'],
    ['space', 'ada lovelace@example.com'],
    ['NUL', 'ada\u0000@example.com'],
    ['not NFC', 'ju\u0308rgen@example.com'],
    ['too long', `${'a'.repeat(250)}@example.com`],
    ['a number', 42],
    ['dot domain', 'ada@.example.com'],
  ])('refuses %s', (_label, email) => {
    expect(isAcceptableEmail(email)).toBe(false);
  });
});
