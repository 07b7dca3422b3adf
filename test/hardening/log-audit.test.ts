// The log audit (docs/contract.md, Log line). The corpus, fault, property and load files each audit every line their
// functions wrote (test/support/log-audit.ts). This file proves the auditor catches what it must,
// then audits the path those files bypass: the default sink, process.stdout, as deployed.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../functions/generate-auth-token/config.ts';
import { createEnrollmentRuntime } from '../../functions/generate-auth-token/create-handler.ts';
import { lambdaContext, restEvent } from '../support/events.ts';
import { cognitoClaims, flipSignatureBit, issuerClaims } from '../support/forged-tokens.ts';
import { ecKey } from '../support/keys.ts';
import { LogAudit, spyOnProcessOutput } from '../support/log-audit.ts';
import {
  ALLOWED_ORIGIN,
  COGNITO_KID,
  ISSUER_KID,
  SECRET_ID,
  type Stand,
  startStand,
} from '../support/scenario.ts';
import { sessionJwt } from '../support/tokens.ts';

describe('the auditor', () => {
  const clean = JSON.stringify({
    level: 'WARN',
    message: 'generate-auth-token',
    outcome: 'bad_signature',
    status: 401,
  });
  const cookieValue = 's3ss10n-0paque-value-123';
  const cases: readonly [string, string][] = [
    [
      'a PEM',
      JSON.stringify({
        level: 'ERROR',
        outcome: 'key_invalid',
        // A PEM's first line, built at run time: no key-shaped text in the repo.
        detail: `-----BEGIN RSA ${'PRIVATE'} KEY-----\nMIIE`,
      }),
    ],
    [
      'a JWT',
      JSON.stringify({ level: 'WARN', outcome: 'malformed', detail: 'eyJhbGciOiJSUzI1NiJ9.e30.sig' }),
    ],
    ['a JWT behind a JSON escape', '{"level":"WARN","outcome":"malformed","detail":"\\u0065yJhbGciOi"}'],
    [
      'a request cookie value',
      JSON.stringify({ level: 'WARN', outcome: 'no_session', detail: `cookie ${cookieValue}` }),
    ],
    [
      'a raw email',
      JSON.stringify({
        level: 'INFO',
        message: 'generate-auth-token',
        outcome: 'issued',
        user: 'ada@example.com',
      }),
    ],
    [
      'a Unicode email',
      JSON.stringify({
        level: 'INFO',
        message: 'generate-auth-token',
        outcome: 'issued',
        user: 'jos\u00e9@b\u00fccher.de',
      }),
    ],
    [
      'a refusal without outcome',
      JSON.stringify({ level: 'WARN', message: 'generate-auth-token', status: 401 }),
    ],
    [
      'a refusal logged as issued',
      JSON.stringify({ level: 'WARN', message: 'generate-auth-token', outcome: 'issued', status: 403 }),
    ],
    ['a line that is not JSON', 'Error: something happened at verify (/var/task/index.mjs:1:2)'],
  ];

  it.each(cases)('flags %s', (_name, line) => {
    const audit = new LogAudit();
    audit.noteEvent(restEvent({ headers: { Cookie: `sid=${cookieValue}; theme=dark` } }));
    expect(audit.findProblems([clean])).toEqual([]);
    expect(audit.findProblems([line])).not.toEqual([]);
  });

  it('does not mistake an email hash that spells "eyJ" for a JWT', () => {
    const audit = new LogAudit();
    const line = JSON.stringify({
      message: 'generate-auth-token',
      outcome: 'issued',
      status: 200,
      emailHash: 'abceyJ0123456789_-abcd',
    });
    expect(audit.findProblems([line])).toEqual([]);
  });
});

describe('the default sink (process.stdout), as deployed', () => {
  let stand: Stand;
  let output: ReturnType<typeof spyOnProcessOutput>;
  const audit = new LogAudit();

  beforeAll(async () => {
    stand = await startStand();
    for (const [name, value] of Object.entries(stand.env))
      if (name.startsWith('AWS_')) process.env[name] = value;
    // Not echoed: the lines are the subject here, not test output.
    output = spyOnProcessOutput({ echo: false });
  });
  afterAll(async () => {
    output.restore();
    await stand.close();
  });

  it('issued, refused, misconfigured and unavailable requests, a stale key and a cold start without JWKS: all lines clean', async () => {
    let clock = Date.now();
    const runtime = createEnrollmentRuntime(parseConfig({ ...stand.env, KEY_CACHE_TTL_SECONDS: '10' }), {
      now: () => clock,
    });
    stand.jwks.mode = 'down';
    await runtime.warmUp();
    stand.jwks.mode = 'ok';

    const ada = await sessionJwt(issuerClaims(), stand.issuerKey.privateKey, { kid: ISSUER_KID });
    const requests = [
      restEvent({ headers: { Authorization: `Bearer ${ada}`, Origin: ALLOWED_ORIGIN } }),
      restEvent({
        headers: { Cookie: `app_session=${ada}; csrf=c5rf-t0ken-value-42`, Origin: ALLOWED_ORIGIN },
      }),
      restEvent({ headers: { Cookie: `app_session=${ada}`, Origin: 'https://evil.test' } }),
      restEvent({ headers: { Authorization: `Bearer ${flipSignatureBit(ada)}` } }),
      restEvent({
        headers: {
          Authorization: `Bearer ${await sessionJwt(issuerClaims({ email: 'ada@example.com\r\nX: y' }), stand.issuerKey.privateKey, { kid: ISSUER_KID })}`,
        },
      }),
      restEvent({
        headers: {
          Authorization: `Bearer ${await sessionJwt(cognitoClaims({ email_verified: false }), stand.cognitoKey.privateKey, { kid: COGNITO_KID })}`,
        },
      }),
      restEvent({ headers: { Authorization: 'Basic YWRhOnB3' } }),
      restEvent({ method: 'GET', headers: { Authorization: `Bearer ${ada}` } }),
      restEvent({ method: 'OPTIONS', headers: { Origin: ALLOWED_ORIGIN } }),
    ];
    const statuses: number[] = [];
    const invoke = async (event = requests[0]) => {
      if (event === undefined) throw new Error('no event');
      audit.noteEvent(event);
      statuses.push((await runtime.handler(event, lambdaContext())).statusCode);
    };
    for (const event of requests) await invoke(event);

    // The key's refresh fails (stale key kept, WARN), then the secret turns into an EC key on a new instance.
    stand.secretsManager.mode = 'internal-error';
    clock += 11_000;
    await invoke();
    stand.secretsManager.mode = 'ok';
    const ec = ecKey();
    stand.secretsManager.secrets.set(SECRET_ID, ec.pkcs8Pem);
    audit.noteSecret(ec.pkcs8Pem.split('\n')[1] ?? '');
    const broken = createEnrollmentRuntime(parseConfig(stand.env));
    statuses.push((await broken.handler(requests[0] ?? restEvent(), lambdaContext())).statusCode);
    stand.secretsManager.secrets.set(SECRET_ID, stand.ownIdKey.pkcs1Pem);

    expect(statuses).toEqual([200, 200, 403, 401, 403, 403, 401, 405, 204, 200, 500]);
    const lines = output.lines.filter((line) => line.startsWith('{'));
    const outcomes = lines.map((line) => (JSON.parse(line) as { outcome?: string }).outcome);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        'jwks_unavailable',
        'issued',
        'origin_not_allowed',
        'bad_signature',
        'email_invalid',
        'email_unverified',
        'malformed',
        'method_not_allowed',
        'preflight',
        'key_refresh_failed',
        'key_invalid',
      ]),
    );
    for (const secret of [stand.ownIdKey.pkcs1Pem, stand.ownIdKey.pkcs8Pem]) {
      for (const line of secret.split('\n').slice(1, -2)) audit.noteSecret(line);
    }
    expect(audit.findProblems(output.lines)).toEqual([]);
  });

  it('a configuration error at cold start names the variables, on stdout, and nothing else', async () => {
    const saved = { ...process.env };
    try {
      for (const name of Object.keys(process.env))
        if (name.startsWith('SESSION_') || name.startsWith('OWNID_')) delete process.env[name];
      Object.assign(process.env, {
        OWNID_PRIVATE_KEY_SECRET_ID: SECRET_ID,
        SESSION_JWT_ISSUER: 'https://login.example.test',
        ALLOWED_ORIGINS: '*',
      });
      const before = output.lines.length;
      vi.resetModules();
      await expect(import('../../functions/generate-auth-token/handler.ts')).rejects.toThrow(
        /Invalid configuration/,
      );
      const lines = output.lines.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'ERROR',
          message: 'cold-start',
          outcome: 'config_invalid',
          variables: expect.arrayContaining([
            'SESSION_JWT_JWKS_URL',
            'SESSION_JWT_AUDIENCE',
            'ALLOWED_ORIGINS',
          ]),
        }),
      ]);
      expect(audit.findProblems(output.lines.slice(before))).toEqual([]);
    } finally {
      process.env = saved;
    }
  });
});
