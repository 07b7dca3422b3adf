// The local server's HTTP <-> API Gateway REST proxy mapping, both directions.
import { describe, expect, it } from 'vitest';
import {
  BAD_GATEWAY,
  encodeBody,
  fromProxyResult,
  lambdaContext,
  toRestEvent,
} from '../../dev/rest-event.ts';

const base = {
  method: 'POST',
  url: '/generate-auth-token',
  rawHeaders: [] as string[],
  body: Buffer.alloc(0),
  sourceIp: '127.0.0.1',
  requestId: 'req-1',
  requestTimeEpoch: 1_700_000_000_000,
};

describe('toRestEvent', () => {
  it('keeps header names as sent, the last value in headers and every value in multiValueHeaders', () => {
    const event = toRestEvent({
      ...base,
      rawHeaders: [
        'Origin',
        'http://127.0.0.1:3000',
        'cookie',
        'a=1',
        'Cookie',
        'b=2',
        'X-Twice',
        'one',
        'X-Twice',
        'two',
      ],
    });
    expect(event.headers).toEqual({
      Origin: 'http://127.0.0.1:3000',
      cookie: 'a=1',
      Cookie: 'b=2',
      'X-Twice': 'two',
    });
    expect(event.multiValueHeaders).toEqual({
      Origin: ['http://127.0.0.1:3000'],
      cookie: ['a=1'],
      Cookie: ['b=2'],
      'X-Twice': ['one', 'two'],
    });
  });

  it('passes the cookie header untouched (the function parses it)', () => {
    const event = toRestEvent({ ...base, rawHeaders: ['Cookie', 'demo_session=abc.def.ghi; other=%20x'] });
    expect(event.headers.Cookie).toBe('demo_session=abc.def.ghi; other=%20x');
  });

  it('treats a header called __proto__ as a header', () => {
    const event = toRestEvent({ ...base, rawHeaders: ['__proto__', 'x', 'constructor', 'y'] });
    expect(Object.keys(event.headers)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(event.multiValueHeaders, '__proto__')?.value).toEqual(['x']);
  });

  it.each(['GET', 'OPTIONS', 'PUT', 'delete'])('passes the method %s through, upper-cased', (method) => {
    const event = toRestEvent({ ...base, method });
    expect(event.httpMethod).toBe(method.toUpperCase());
    expect(event.requestContext.httpMethod).toBe(method.toUpperCase());
  });

  it('splits path and query, with single- and multi-value query maps', () => {
    const event = toRestEvent({ ...base, url: '/generate-auth-token?a=1&b=x%20y&a=2' });
    expect(event.path).toBe('/generate-auth-token');
    expect(event.queryStringParameters).toEqual({ a: '2', b: 'x y' });
    expect(event.multiValueQueryStringParameters).toEqual({ a: ['1', '2'], b: ['x y'] });
    expect(toRestEvent(base).queryStringParameters).toBeNull();
    expect(toRestEvent(base).multiValueQueryStringParameters).toBeNull();
  });

  it('takes the path as sent: no host read out of `//x/` or an absolute form, no `..` resolved', () => {
    for (const url of [
      '//x/generate-auth-token',
      'http://evil/generate-auth-token',
      '/a/../generate-auth-token',
    ]) {
      expect(toRestEvent({ ...base, url }).path, url).toBe(url);
    }
    expect(toRestEvent({ ...base, url: '//x/generate-auth-token?a=1' })).toMatchObject({
      path: '//x/generate-auth-token',
      queryStringParameters: { a: '1' },
    });
  });

  it('fills requestContext like API Gateway: request id, time, source IP, user agent, stage path', () => {
    const event = toRestEvent({
      ...base,
      rawHeaders: ['User-Agent', 'curl/8'],
      sourceIp: '::1',
      resource: '/generate-auth-token',
    });
    expect(event.resource).toBe('/generate-auth-token');
    expect(event.requestContext).toMatchObject({
      requestId: 'req-1',
      requestTimeEpoch: 1_700_000_000_000,
      stage: 'local',
      path: '/local/generate-auth-token',
      resourcePath: '/generate-auth-token',
      identity: { sourceIp: '::1', userAgent: 'curl/8' },
    });
    expect(event.pathParameters).toBeNull();
    expect(event.stageVariables).toBeNull();
  });

  it('has a null body and isBase64Encoded false when nothing was sent', () => {
    const event = toRestEvent(base);
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
  });

  it('sends JSON and text bodies as text', () => {
    const event = toRestEvent({
      ...base,
      rawHeaders: ['Content-Type', 'application/json; charset=utf-8'],
      body: Buffer.from('{"email":"x@example.com"}'),
    });
    expect(event.body).toBe('{"email":"x@example.com"}');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('sends binary content types and invalid UTF-8 as base64', () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x41]);
    const binary = toRestEvent({
      ...base,
      rawHeaders: ['content-type', 'application/octet-stream'],
      body: bytes,
    });
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body ?? '', 'base64')).toEqual(bytes);
    const lying = toRestEvent({ ...base, rawHeaders: ['content-type', 'text/plain'], body: bytes });
    expect(lying.isBase64Encoded).toBe(true);
    expect(Buffer.from(lying.body ?? '', 'base64')).toEqual(bytes);
  });

  it('decides the body encoding from the content type', () => {
    expect(encodeBody(Buffer.from('a=1'), 'application/x-www-form-urlencoded')).toEqual({
      body: 'a=1',
      isBase64Encoded: false,
    });
    expect(encodeBody(Buffer.from('{}'), 'application/problem+json')).toEqual({
      body: '{}',
      isBase64Encoded: false,
    });
    expect(encodeBody(Buffer.from('hi'), undefined)).toEqual({ body: 'hi', isBase64Encoded: false });
    expect(encodeBody(Buffer.from('hi'), 'image/png')).toEqual({ body: 'aGk=', isBase64Encoded: true });
  });
});

describe('lambdaContext', () => {
  it('counts down to the deadline', () => {
    let now = 1000;
    const context = lambdaContext('req-9', 11_000, () => now);
    expect(context.awsRequestId).toBe('req-9');
    expect(context.getRemainingTimeInMillis()).toBe(10_000);
    now = 20_000;
    expect(context.getRemainingTimeInMillis()).toBe(0);
  });
});

describe('fromProxyResult', () => {
  it('maps status, headers and a text body', () => {
    const response = fromProxyResult({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
      body: '{"ok":true}',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual([
      ['Content-Type', 'application/json'],
      ['Cache-Control', 'no-store'],
    ]);
    expect(response.body.toString()).toBe('{"ok":true}');
  });

  it('lets multiValueHeaders win over headers and keeps several Set-Cookie apart', () => {
    const response = fromProxyResult({
      statusCode: 200,
      headers: { Vary: 'Origin', 'X-One': 'single' },
      multiValueHeaders: { 'x-one': ['multi'], 'Set-Cookie': ['a=1; Path=/', 'b=2; Path=/'] },
      body: '',
    });
    expect(response.headers).toEqual([
      ['Vary', 'Origin'],
      ['x-one', 'multi'],
      ['Set-Cookie', 'a=1; Path=/'],
      ['Set-Cookie', 'b=2; Path=/'],
    ]);
  });

  it('accepts payload-2.0 style cookies as Set-Cookie headers', () => {
    const response = fromProxyResult({ statusCode: 200, body: '', cookies: ['s=1; HttpOnly'] });
    expect(response.headers).toEqual([['Set-Cookie', 's=1; HttpOnly']]);
  });

  it('decodes base64 bodies', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    const response = fromProxyResult({
      statusCode: 200,
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });
    expect(response.body).toEqual(bytes);
  });

  it('drops framing headers: the server frames the response itself', () => {
    const response = fromProxyResult({
      statusCode: 200,
      headers: {
        'Content-Length': '999',
        'Transfer-Encoding': 'chunked',
        Connection: 'close',
        'X-Kept': '1',
      },
      body: 'x',
    });
    expect(response.headers).toEqual([['X-Kept', '1']]);
  });

  it('turns numbers and booleans in headers into text and ignores other values', () => {
    const response = fromProxyResult({
      statusCode: 200,
      headers: { 'X-N': 5, 'X-B': true, 'X-O': {} },
      body: '',
    });
    expect(response.headers).toEqual([
      ['X-N', '5'],
      ['X-B', 'true'],
    ]);
  });

  it('answers 502 like API Gateway for a malformed result', () => {
    for (const bad of [
      undefined,
      null,
      'text',
      42,
      {},
      { statusCode: '200' },
      { statusCode: 99 },
      { statusCode: 200, body: {} },
    ]) {
      expect(fromProxyResult(bad)).toBe(BAD_GATEWAY);
    }
    expect(BAD_GATEWAY.statusCode).toBe(502);
    expect(JSON.parse(BAD_GATEWAY.body.toString())).toEqual({ message: 'Internal server error' });
  });

  it('treats a missing body as empty', () => {
    expect(fromProxyResult({ statusCode: 204 }).body.length).toBe(0);
  });
});
