// An EventBridge event on the default bus for every recorded `enrolled` outcome, so a site can send
// its own "a passkey was added to your account" notice or feed analytics (docs/contract.md names the
// source, detail-type and detail). The detail names the user by the keyed hash only, never the email.
// A failed put is logged and never fails the outcome report: the passkey exists either way.
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { PASSKEY_ENROLLED_EVENT, type PlatformFamily } from '../../contract/funnel.ts';

export interface PasskeyEnrolled {
  /** The user's keyed hash (as in the log line and the policy table). */
  readonly userHash: string;
  readonly enrolledAtMs: number;
  readonly platform: PlatformFamily;
}

/** The event's `detail`, as docs/contract.md documents it. */
export interface PasskeyEnrolledDetail {
  readonly userHash: string;
  /** ISO 8601, UTC. */
  readonly enrolledAt: string;
  readonly platformFamily: PlatformFamily;
}

/** Sends one event; rejects with EnrollmentEventError when EventBridge did not take it. */
export type PublishPasskeyEnrolled = (event: PasskeyEnrolled) => Promise<void>;

export class EnrollmentEventError extends Error {
  override readonly name = 'EnrollmentEventError';
  constructor(
    /** Value-free, for the log line: the SDK error's name or the entry's error code. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`enrollment event not sent: ${detail}`, options);
  }
}

export function createEventBridgeClient(): EventBridgeClient {
  // Short: the outcome report waits for the put (Lambda freezes work left after the answer), and a
  // slow EventBridge must not hold it long. Two attempts of at most 800 ms each.
  return new EventBridgeClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 500, requestTimeout: 800, throwOnRequestTimeout: true },
  });
}

export function passkeyEnrolledDetail(event: PasskeyEnrolled): PasskeyEnrolledDetail {
  return {
    userHash: event.userHash,
    enrolledAt: new Date(event.enrolledAtMs).toISOString(),
    platformFamily: event.platform,
  };
}

/** PutEvents to the default bus (no EventBusName: the function's grant names that bus only). */
export function eventBridgePublisher(client: EventBridgeClient): PublishPasskeyEnrolled {
  return async (event) => {
    let result: PutEventsCommandOutput;
    try {
      result = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: PASSKEY_ENROLLED_EVENT.source,
              DetailType: PASSKEY_ENROLLED_EVENT.detailType,
              Detail: JSON.stringify(passkeyEnrolledDetail(event)),
              Time: new Date(event.enrolledAtMs),
            },
          ],
        }),
      );
    } catch (error) {
      throw new EnrollmentEventError(error instanceof Error ? error.name : 'unknown', { cause: error });
    }
    // PutEvents answers 200 with per-entry failures: a refused entry is a failed put too.
    if ((result.FailedEntryCount ?? 0) > 0) {
      const code = result.Entries?.[0]?.ErrorCode;
      throw new EnrollmentEventError(typeof code === 'string' ? code : 'FailedEntry');
    }
  };
}

export type EventLog = (level: 'WARN', message: string, fields: Record<string, unknown>) => void;

/**
 * Publishes and never throws: a failure becomes one WARN line (`outcome: "event_failed"`). Returns
 * whether the event went out, for the caller's tests and log.
 */
export async function announcePasskeyEnrolled(
  publish: PublishPasskeyEnrolled | undefined,
  event: PasskeyEnrolled,
  log: EventLog,
): Promise<'sent' | 'failed' | 'off'> {
  if (publish === undefined) return 'off';
  try {
    await publish(event);
    return 'sent';
  } catch (error) {
    const detail = error instanceof EnrollmentEventError ? error.detail : 'unknown';
    log('WARN', 'enrollment-event', { outcome: 'event_failed', detail, emailHash: event.userHash });
    return 'failed';
  }
}
