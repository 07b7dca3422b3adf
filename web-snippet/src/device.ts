// What this device can do and what it remembers, checked before bothering the user or the server.

/** Whether the browser has a user-verifying platform authenticator (false when it cannot tell). */
export const isEligible = async () => {
  try {
    return !!(await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable());
  } catch {
    // No PublicKeyCredential at all (a ReferenceError), or the check itself failed.
    return false;
  }
};

/**
 * Looks up (or, with `remember`, records) that this user made a passkey on this device. The key is a
 * SHA-256 of the lower-cased email, so the email itself is never stored. Falsy when storage or
 * crypto.subtle is unavailable: the enrollment then simply goes on.
 */
export const enrolledOnDevice = async (email: string, remember?: 1) => {
  try {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(email.toLowerCase()));
    const key = `ownid-enroll:${btoa(String.fromCharCode(...new Uint8Array(digest)))}`;
    return remember ? localStorage.setItem(key, '1') : !!localStorage.getItem(key);
  } catch {}
};
