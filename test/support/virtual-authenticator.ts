// Chromium's virtual authenticator (the DevTools WebAuthn domain) so a page sees a platform
// authenticator, or none, on purpose. Only secure contexts ask: serve from 127.0.0.1 or localhost.
import type { CDPSession, Page } from 'playwright-core';

export type PlatformAuthenticator = 'present' | 'absent';

export interface VirtualAuthenticators {
  readonly session: CDPSession;
  /** The added authenticator's id; undefined when `absent`. */
  readonly authenticatorId: string | undefined;
}

/**
 * Enables the WebAuthn domain on the page's target, which replaces the machine's real authenticators
 * with virtual ones, and adds a user-verifying platform authenticator when `present`: afterwards
 * `PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable()` answers true, or false.
 */
export async function usePlatformAuthenticator(
  page: Page,
  platformAuthenticator: PlatformAuthenticator,
): Promise<VirtualAuthenticators> {
  const session = await page.context().newCDPSession(page);
  await session.send('WebAuthn.enable', { enableUI: false });
  if (platformAuthenticator === 'absent') return { session, authenticatorId: undefined };
  const { authenticatorId } = await session.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return { session, authenticatorId };
}
