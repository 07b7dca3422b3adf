// The host pages of the snippet's enrollment tests (test/browser/snippet-*.test.ts): the built IIFE
// against the stand-in token endpoint and a stand-in OwnID SDK whose behaviour each test sets, and
// `enroll()`, one call of initiatePasskeysEnrollment in the page.
import type { Page } from 'playwright-core';
import type * as Snippet from '../../web-snippet/src/index.ts';
import { SNIPPET_PATH, type SnippetHostPage, useSnippetHostPage } from './snippet-host-page.ts';

export {
  OUTCOME_ROUTE as OUTCOME_ENDPOINT,
  POLL,
  TOKEN_BODY,
  TOKEN_ROUTE as ENDPOINT,
} from './snippet-host-page.ts';

export const TOAST = '[data-ownid-enroll-toast]';
export const TOAST_TEXT = 'Passkey successfully created!';

export interface OwnIdBehaviour {
  result?: unknown;
  throws?: string;
}

declare global {
  interface Window {
    OwnIDEnroll: typeof Snippet;
    ownidCalls: { email: string; token: string }[];
    ownidBehaviour: OwnIdBehaviour;
    pendingOutcome?: Promise<Snippet.EnrollmentOutcome>;
    esm?: typeof Snippet;
  }
}

// The OwnID SDK stand-in: records its calls and answers what the test put in `ownidBehaviour`.
const OWNID_STUB = `
window.ownidCalls = [];
window.ownidBehaviour = { result: { data: { id: 'passkey-1' } } };
window.ownid = {
  enrollCredential: async function (email, token) {
    window.ownidCalls.push({ email, token });
    var b = window.ownidBehaviour;
    if (b.throws) throw new Error(b.throws);
    return b.result;
  },
};`;

const html = (head: string, body = '<main><h1>Welcome back</h1><p>You are logged in.</p></main>') =>
  `<!doctype html><html><head><meta charset="utf-8"><title>Host page</title><link rel="icon" href="data:,">${head}</head><body>${body}</body></html>`;
const WITH_SDK = '<script src="/ownid-stub.js"></script><script src="/ownid-enroll.min.js"></script>';

/** The host page with the enrollment tests' pages served, reduced motion off before each test. */
export function useEnrollHostPage(): SnippetHostPage {
  return useSnippetHostPage({
    beforeEach: (page) => page.emulateMedia({ reducedMotion: 'no-preference' }),
    serve: (server) => {
      server.file('/ownid-stub.js', OWNID_STUB);
      server.file('/', html(WITH_SDK));
      server.file('/no-sdk.html', html('<script src="/ownid-enroll.min.js"></script>'));
      server.file(
        '/late-sdk.html',
        html(
          '<script src="/ownid-enroll.min.js"></script>' +
            `<script>setTimeout(function () { var s = document.createElement('script'); s.src = '/ownid-stub.js'; document.head.append(s); }, 300);</script>`,
        ),
      );
      // Hostile host CSS: the toast must still show, styled by itself alone.
      server.file(
        '/hostile.html',
        html(
          `${WITH_SDK}<style>*{color:red!important;font-size:40px!important}div,span,svg{display:none!important}` +
            'ownid-enroll-toast{display:none!important}</style>',
        ),
      );
      // Storage blocked, as in a sandboxed frame or with cookies disabled.
      server.file(
        '/no-storage.html',
        html(
          `<script>Object.defineProperty(window, 'sessionStorage', { get: function () { throw new DOMException('The operation is insecure.', 'SecurityError'); } });</script>${WITH_SDK}`,
        ),
      );
      server.fileFromDisk('/ownid-enroll.mjs', SNIPPET_PATH.replace(/\.min\.js$/, '.mjs'));
      server.file(
        '/esm.html',
        html(
          `<script src="/ownid-stub.js"></script><script type="module">import * as enroll from '/ownid-enroll.mjs'; window.esm = enroll;</script>`,
        ),
      );
      // The page after login: runs the pending enrollment on load.
      server.file(
        '/account.html',
        html(`${WITH_SDK}<script>window.pendingOutcome = OwnIDEnroll.runPendingEnrollment();</script>`),
      );
    },
  });
}

export interface EnrollArgs {
  options?: Omit<Snippet.EnrollmentOptions, 'onEvent' | 'getAuthorization' | 'toast'> & { toast?: boolean };
  /** getAuthorization() resolves to this (a string, or null for "no bearer"); 'throw' makes it throw. */
  bearer?: string | null;
  behaviour?: OwnIdBehaviour;
}

/**
 * Runs initiatePasskeysEnrollment in the page; returns the outcome, the events onEvent received, and what
 * the page looks like right after (one round trip keeps the suite fast).
 */
export function enroll(page: Page, args: EnrollArgs = {}) {
  return page.evaluate(async ({ options, bearer, behaviour }) => {
    if (behaviour && window.ownidBehaviour) window.ownidBehaviour = behaviour;
    const before = document.documentElement.outerHTML;
    const events: Record<string, unknown>[] = [];
    const getAuthorization =
      bearer === undefined
        ? undefined
        : async () => {
            if (bearer === 'throw') throw new Error('no session in the auth library');
            return bearer;
          };
    const outcome = await window.OwnIDEnroll.initiatePasskeysEnrollment({
      ...options,
      getAuthorization,
      onEvent: (event) => {
        const { error, ...rest } = event as { error?: unknown };
        events.push({ ...rest, hasError: error !== undefined });
      },
    });
    return {
      outcome,
      events,
      pageChanged: document.documentElement.outerHTML !== before,
      toasts: document.querySelectorAll('[data-ownid-enroll-toast]').length,
      sdkCalls: window.ownidCalls?.length ?? 0,
    };
  }, args);
}

export const animationName = (page: Page) =>
  page.locator(`${TOAST} [role="status"]`).evaluate((el) => getComputedStyle(el).animationName);
