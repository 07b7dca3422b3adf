// The server side of the demo's policy panel, in the local server only: `GET /dev/policy-state` shows
// the signed-in demo user's prompt-policy state as the function stored it, `POST /dev/policy-reset`
// forgets it (what `npm run policy:reset` does for an operator). The user is the one of the demo
// session cookie, never a parameter; the store key is the function's own keyed hash of the email,
// computed with the function's code from the key file it signs with. Nothing here logs.
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createPolicyStore,
  importOwnIdPrivateKey,
  type PolicySettings,
  type PolicyStore,
  parsePolicyConfig,
  policyView,
  userHash,
} from '../functions/generate-auth-token/operator-api.ts';
// TODO(merge): the one name operator-api.ts does not export yet; import it from there once it does.
import { rolloutBucket } from '../functions/generate-auth-token/policy/prompt-policy.ts';
import { jsonReply, type Reply } from './http-reply.ts';

export const POLICY_STATE_PATH = '/dev/policy-state';
export const POLICY_RESET_PATH = '/dev/policy-reset';

/** The local server's own reads may take longer than the function's 300 ms: nobody waits on a login. */
const PANEL_STORE_TIMEOUT_MS = 2000;

export interface PolicyPanelOptions {
  /** The state store the function was given; undefined when it runs without one. */
  readonly store:
    | { readonly client: DynamoDBClient; readonly tableName: string; readonly label: string }
    | undefined;
  /** The PEM the function signs with; undefined when the key is in Secrets Manager. */
  readonly keyFile: string | undefined;
  /** The email of the request's demo session, or undefined. */
  readonly sessionEmail: (req: IncomingMessage) => Promise<string | undefined>;
  /** Origins of the demo pages: a reset comes from them only. */
  readonly ownOrigins: readonly string[];
  /** The function's environment: the POLICY_* settings are read from it the function's way. */
  readonly functionEnv: Readonly<Record<string, string>>;
  readonly now?: () => number;
}

export type DevRoute = (req: IncomingMessage, url: URL) => Promise<Reply | undefined>;

const LOOPBACK_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function createPolicyPanel(options: PolicyPanelOptions): DevRoute {
  const { store, keyFile, sessionEmail, ownOrigins, functionEnv } = options;
  const now = options.now ?? Date.now;
  const ownHosts = new Set(ownOrigins.map((origin) => new URL(origin).host));
  let hashKey: Promise<KeyObject> | undefined;
  /** The function's hash key, derived from the key file as the function derives it (read once). */
  const loadHashKey = (path: string) => {
    hashKey ??= (async () => (await importOwnIdPrivateKey(readFileSync(path, 'utf8'))).logHashKey)();
    hashKey.catch(() => {
      hashKey = undefined;
    });
    return hashKey;
  };
  // On first use: a configuration error is the function's to report, at its cold start.
  let policy: { readonly settings: PolicySettings; readonly store: PolicyStore | undefined } | undefined;
  const policyOf = () => {
    if (policy === undefined) {
      const settings = parsePolicyConfig(functionEnv);
      policy = {
        settings,
        store:
          store === undefined
            ? undefined
            : createPolicyStore({ ...store, settings, timeoutMs: PANEL_STORE_TIMEOUT_MS }),
      };
    }
    return policy;
  };

  /** Who may ask: this machine, through the demo's own host name (no DNS rebinding), with a demo session. */
  async function demoUserHash(req: IncomingMessage): Promise<string | Reply> {
    if (!LOOPBACK_ADDRESSES.has(req.socket.remoteAddress ?? '') || !ownHosts.has(req.headers.host ?? '')) {
      return jsonReply(403, { message: 'The dev endpoints answer the demo pages on this machine only' });
    }
    const email = await sessionEmail(req);
    if (email === undefined) return jsonReply(401, { message: 'Sign in to the demo first' });
    if (policyOf().store === undefined) {
      return jsonReply(409, { message: 'The function runs without a state store (ENROLLMENT_STATE_TABLE)' });
    }
    if (keyFile === undefined) {
      return jsonReply(409, {
        message:
          'The signing key is in Secrets Manager, so the user hash cannot be computed here: use npm run policy:show',
      });
    }
    return userHash(email, await loadHashKey(keyFile));
  }

  async function state(hash: string): Promise<Reply> {
    const { settings, store: policyStore } = policyOf();
    const stored = await policyStore?.readState(hash);
    const view = policyView(hash, stored, settings, now());
    const { next } = view;
    return jsonReply(200, {
      store: store?.label,
      table: store?.tableName,
      userKey: `user#${hash}`,
      stored: stored !== undefined,
      settings: {
        snoozeDays: settings.snoozeDays,
        maxDeclines: settings.maxDeclines,
        rolloutPercent: settings.rolloutPercent,
        maxTokensPerHour: settings.maxTokensPerHour,
        maxFailures: settings.maxFailures,
        afterEnrolled: settings.afterEnrolled,
      },
      lastOutcome: view.lastOutcome ?? null,
      lastOutcomeAt: view.lastOutcomeAt ?? null,
      snoozedUntil: view.snoozedUntil ?? null,
      declines: view.declines,
      failuresInARow: view.failuresInARow,
      pausedUntil: view.pausedUntil ?? null,
      enrolledAt: view.enrolledAt ?? null,
      tokensThisHour: view.tokensThisHour,
      rolloutBucket: rolloutBucket(hash),
      inRollout: view.inRollout,
      // What the token route would answer: a token, 204 with this Enrollment-Skip reason, or 429.
      nextRequest:
        next === 'issue'
          ? { answer: 200 }
          : next === 'rate_limited'
            ? { answer: 429 }
            : { answer: 204, skip: next },
    });
  }

  return async function route(req, url) {
    const path = url.pathname;
    if (path !== POLICY_STATE_PATH && path !== POLICY_RESET_PATH) return undefined;
    const method = req.method ?? 'GET';
    const wanted = path === POLICY_STATE_PATH ? 'GET' : 'POST';
    if (method !== wanted) return jsonReply(405, { message: 'Method Not Allowed' }, { Allow: wanted });
    const origin = req.headers.origin;
    if (method === 'POST' && (origin === undefined || !ownOrigins.includes(origin))) {
      return jsonReply(403, { message: 'Forbidden' });
    }
    try {
      const hash = await demoUserHash(req);
      if (typeof hash !== 'string') return hash;
      if (path === POLICY_RESET_PATH) await policyOf().store?.resetState(hash);
      return await state(hash);
    } catch {
      return jsonReply(503, { message: 'The state store did not answer, or the key file did not read' });
    }
  };
}
