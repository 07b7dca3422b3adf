// The Passkey Enrolled event through the real AWS SDK against an EventBridge stand-in on 127.0.0.1:
// what the entry carries (never the email), and that every way a put can fail ends in one WARN line
// and a resolved promise.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  announcePasskeyEnrolled,
  createEventBridgeClient,
  eventBridgePublisher,
  type PasskeyEnrolled,
} from '../../functions/generate-auth-token/enrollment-events.ts';
import {
  type EventBridgeStandIn,
  eventBridgeEnv,
  startEventBridgeStandIn,
} from '../support/eventbridge-stand-in.ts';

const ENROLLED: PasskeyEnrolled = {
  userHash: 'Zx9mK2pQ7rT4vW1yB3dF6h',
  enrolledAtMs: Date.UTC(2026, 11, 2, 3, 14, 15),
  platform: 'iOS',
};

let standIn: EventBridgeStandIn;
beforeAll(async () => {
  standIn = await startEventBridgeStandIn();
  // The SDK's own service endpoint variable, as the local server and tests point it.
  for (const [name, value] of Object.entries(eventBridgeEnv(standIn.url))) vi.stubEnv(name, value);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await standIn.close();
});
afterEach(() => {
  standIn.mode = 'ok';
  standIn.entries.length = 0;
  standIn.calls = 0;
});

function announce() {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const publish = eventBridgePublisher(createEventBridgeClient());
  const result = announcePasskeyEnrolled(publish, ENROLLED, (level, message, fields) =>
    lines.push({ level, message, fields }),
  );
  return { result, lines };
}

describe('Passkey Enrolled event', () => {
  it('puts one entry on the default bus with the hash, the time and the platform family', async () => {
    const { result, lines } = announce();
    expect(await result).toBe('sent');
    expect(lines).toEqual([]);
    expect(standIn.entries).toHaveLength(1);
    const [entry] = standIn.entries;
    expect(entry).toMatchObject({
      Source: 'ownid.passkey-enrollment',
      DetailType: 'Passkey Enrolled',
    });
    expect(entry?.EventBusName).toBeUndefined();
    expect(entry?.Time).toBe(ENROLLED.enrolledAtMs / 1000);
    expect(JSON.parse(entry?.Detail ?? '')).toEqual({
      userHash: ENROLLED.userHash,
      enrolledAt: '2026-12-02T03:14:15.000Z',
      platformFamily: 'iOS',
    });
  });

  it.each([
    ['internal-error', 'InternalException'],
    ['access-denied', 'AccessDeniedException'],
    ['failed-entry', 'InternalFailure'],
  ] as const)('a put answered %s is one WARN line, never a rejection', async (mode, detail) => {
    standIn.mode = mode;
    const { result, lines } = announce();
    expect(await result).toBe('failed');
    expect(lines).toEqual([
      {
        level: 'WARN',
        message: 'enrollment-event',
        fields: { outcome: 'event_failed', detail, emailHash: ENROLLED.userHash },
      },
    ]);
  });

  it('a hanging EventBridge ends within the client timeout as a WARN line', async () => {
    standIn.mode = 'hang';
    const started = performance.now();
    const { result, lines } = announce();
    expect(await result).toBe('failed');
    // Two attempts of at most 800 ms each, plus retry backoff.
    expect(performance.now() - started).toBeLessThan(2500);
    expect(lines[0]?.fields).toMatchObject({ outcome: 'event_failed' });
  });

  it('sends nothing when the setting turns events off', async () => {
    expect(await announcePasskeyEnrolled(undefined, ENROLLED, () => {})).toBe('off');
    expect(standIn.calls).toBe(0);
  });
});
