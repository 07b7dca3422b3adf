// Secrets Manager failing under the function's real middy chain, through the real AWS SDK against the
// stand-in: each failure with nothing cached, a hang included (it waits for the SDK's timeout, so this
// file is in the slow tier), and what it answers (docs/contract.md, Errors).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restEvent } from '../support/events.ts';
import { expectNoTokenIssued } from '../support/hardening-assertions.ts';
import { createTestFunction, issuerSession, type Stand, startStand } from '../support/scenario.ts';

let stand: Stand;
beforeAll(async () => {
  stand = await startStand();
});
afterAll(() => stand.close());

describe('the key: formats, cache and failures', () => {
  it.each([
    ['internal-error', 503, 'key_unavailable'],
    ['throttling', 503, 'key_unavailable'],
    ['hang', 503, 'key_unavailable'],
    ['not-found', 500, 'key_invalid'],
    ['access-denied', 500, 'key_invalid'],
  ] as const)('Secrets Manager %s with nothing cached -> %i %s', async (mode, status, reason) => {
    const fn = createTestFunction(stand.env);
    stand.secretsManager.mode = mode;
    try {
      const started = Date.now();
      const result = await fn.invoke(
        restEvent({ headers: { Authorization: `Bearer ${await issuerSession(stand)}` } }),
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(result.statusCode).toBe(status);
      expectNoTokenIssued(result);
      if (status === 503) {
        expect(result.headers['Retry-After']).toBe('5');
        expect(result.body).toBe('{"message":"Service Unavailable"}');
      } else {
        expect(result.body).toBe('{"message":"Internal Server Error"}');
      }
      expect(JSON.parse(fn.logs.at(-1)!)).toMatchObject({ outcome: reason, status });
    } finally {
      stand.secretsManager.mode = 'ok';
    }
  });
});
