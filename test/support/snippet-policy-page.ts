// The host pages of the snippet's prompt-policy tests (test/browser/snippet-eligibility and
// snippet-outcome-report): the built IIFE with a fetch that records what the snippet hands it (keepalive is
// not visible on the wire), `run()` with a stand-in OwnID SDK, and the check of one outcome report.
import { expect } from 'vitest';
import type * as Snippet from '../../web-snippet/src/index.ts';
import { OUTCOME_ROUTE, POLL, type SnippetHostPage, useSnippetHostPage } from './snippet-host-page.ts';

export { EMAIL, OUTCOME_ROUTE, POLL, TOKEN, TOKEN_ROUTE } from './snippet-host-page.ts';

type FetchCall = { url: string; method?: string; keepalive?: boolean; credentials?: string };

declare global {
  interface Window {
    OwnIDEnroll: typeof Snippet;
    fetchCalls: FetchCall[];
    policyEvents: Record<string, unknown>[];
  }
}

const hostPage = (head = '') =>
  `<!doctype html><html><head><link rel="icon" href="data:,">${head}<script src="/ownid-enroll.min.js"></script></head><body><p>Signed in</p></body></html>`;

// Pages and what runs on them before the snippet.
const PAGE_SCRIPTS: Record<string, string> = {
  '/': '',
  '/next.html': '',
  '/no-webauthn.html': 'delete window.PublicKeyCredential;',
  '/check-throws.html':
    'PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable = () => Promise.reject(new Error("no"));',
  '/no-local-storage.html': `Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('blocked', 'SecurityError'); } });`,
};

export const BEARER = 'id-token';

export interface RunArgs {
  options?: Omit<Snippet.EnrollmentOptions, 'onEvent' | 'getAuthorization'>;
  bearer?: string;
  /** What OwnID's enrollCredential resolves to, or `{ throws }`; `null` leaves the SDK out. */
  ownid?: { result?: unknown; throws?: string } | null;
}

/** The host page with the policy tests' pages, and the helpers that drive it. */
export function usePolicyHostPage() {
  const host: SnippetHostPage = useSnippetHostPage({
    serve: async (server, page) => {
      // Records what the snippet hands to fetch (keepalive is not visible on the wire), then lets it through.
      await page.addInitScript(() => {
        window.fetchCalls = [];
        const realFetch = window.fetch;
        window.fetch = (input, init) => {
          const { method, keepalive, credentials } = init ?? {};
          window.fetchCalls.push({ url: String(input), method, keepalive, credentials });
          return realFetch(input, init);
        };
      });
      for (const [path, script] of Object.entries(PAGE_SCRIPTS))
        server.file(path, hostPage(`<script>${script}</script>`));
    },
  });
  /** Runs initiatePasskeysEnrollment with a stand-in OwnID SDK; onEvent's events land in `policyEvents`. */
  function run({ options, bearer, ownid = { result: { data: {} } } }: RunArgs = {}) {
    return host.page.evaluate(
      async ({ options, bearer, ownid }) => {
        let sdkCalls = 0;
        if (ownid) {
          (window as { ownid?: unknown }).ownid = {
            enrollCredential: async () => {
              sdkCalls++;
              if (ownid.throws) throw new Error(ownid.throws);
              return ownid.result;
            },
          };
        }
        window.policyEvents = [];
        const outcome = await window.OwnIDEnroll.initiatePasskeysEnrollment({
          toast: false,
          ...options,
          getAuthorization: bearer ? () => bearer : undefined,
          onEvent: (event) => {
            const { error, ...rest } = event as { error?: unknown };
            window.policyEvents.push(error === undefined ? rest : { ...rest, error: String(error) });
          },
        });
        return { outcome, events: [...window.policyEvents], sdkCalls };
      },
      { options, bearer, ownid },
    );
  }

  const reportsReceived = () =>
    host.server.requestsTo(OUTCOME_ROUTE).map((request) => JSON.parse(request.body));
  const signIn = () => host.context.addCookies([{ name: 'session', value: 's-1', url: host.server.origin }]);

  /** One report of exactly `body` reached the server: a JSON POST with the session cookie and the bearer, keepalive. */
  async function expectOneReport(body: Record<string, unknown>) {
    await expect.poll(reportsReceived, POLL).toEqual([body]);
    const [received] = host.server.requestsTo(OUTCOME_ROUTE);
    expect(received?.method).toBe('POST');
    expect(received?.headers).toMatchObject({
      authorization: `Bearer ${BEARER}`,
      'content-type': 'application/json',
    });
    expect(received?.cookies.session).toBe('s-1');
    const calls = await host.page.evaluate(() =>
      window.fetchCalls.filter((call) => call.url.endsWith('/enrollment-outcome')),
    );
    expect(calls).toEqual([
      {
        url: `${host.server.origin}${OUTCOME_ROUTE}`,
        method: 'POST',
        keepalive: true,
        credentials: 'include',
      },
    ]);
  }

  return { host, run, signIn, expectOneReport };
}
