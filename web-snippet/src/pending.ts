import { initiatePasskeysEnrollment, report } from './enroll.js';
import type { EnrollmentOptions, EnrollmentOutcome, EnrollmentSkipReason } from './types.js';

// sessionStorage: the mark belongs to this tab's login and disappears with the tab.
const PENDING_KEY = 'ownid-enroll:pending';

/** Call right after a successful password login. Returns false when sessionStorage is unavailable. */
export function enrollOnNextPageLoad(): boolean {
  try {
    sessionStorage.setItem(PENDING_KEY, '1');
    return true;
  } catch {
    return false;
  }
}

/**
 * Call on page load: when `enrollOnNextPageLoad()` left a mark, clears it and runs the enrollment.
 * The mark is cleared first, so a reload in the middle of the enrollment does not start it again.
 */
export function runPendingEnrollment(options: EnrollmentOptions = {}): Promise<EnrollmentOutcome> {
  let skip: EnrollmentSkipReason | undefined;
  try {
    if (!sessionStorage.getItem(PENDING_KEY)) skip = 'no_pending_mark';
    else sessionStorage.removeItem(PENDING_KEY);
  } catch {
    skip = 'storage_unavailable';
  }
  // report() never throws, whatever `options` is (null included).
  return skip
    ? Promise.resolve(report({ type: 'skipped', reason: skip }, options))
    : initiatePasskeysEnrollment(options);
}
