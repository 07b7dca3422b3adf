import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTokenResponse } from '../../web-snippet/src/response.ts';

describe('parseTokenResponse', () => {
  it('returns email and token, and nothing else', () => {
    expect(parseTokenResponse({ email: 'ada@example.com', token: 'a.b.c', extra: 1 })).toEqual({
      email: 'ada@example.com',
      token: 'a.b.c',
    });
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', '{"email":"a@b.c","token":"t"}'],
    ['a number', 42],
    ['an array', ['a@b.c', 't']],
    ['an empty object', {}],
    ['no token', { email: 'a@b.c' }],
    ['no email', { token: 't' }],
    ['an empty email', { email: '', token: 't' }],
    ['a blank token', { email: 'a@b.c', token: '  ' }],
    ['a numeric token', { email: 'a@b.c', token: 1 }],
    ['an object email', { email: { toString: (): string => 'a@b.c' }, token: 't' }],
    ['null fields', { email: null, token: null }],
  ])('rejects %s', (_name, body) => {
    expect(parseTokenResponse(body)).toBeUndefined();
  });

  it('ignores a polluted Object.prototype', () => {
    const proto = Object.prototype as unknown as Record<string, unknown>;
    proto.email = 'attacker@example.com';
    proto.token = 'forged';
    try {
      expect(parseTokenResponse({})).toBeUndefined();
      expect(parseTokenResponse({ token: 't' })).toBeUndefined();
    } finally {
      delete proto.email;
      delete proto.token;
    }
  });

  it('accepts exactly the objects whose email and token are non-blank strings (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.option(fc.string()), fc.option(fc.string()), (value, email, token) => {
        const body =
          typeof value === 'object' && value !== null && !Array.isArray(value)
            ? { ...value, email, token }
            : value;
        const parsed = parseTokenResponse(body);
        const valid = body === value ? false : !!email?.trim() && !!token?.trim();
        expect(parsed).toEqual(valid ? { email, token } : undefined);
      }),
    );
  });
});
