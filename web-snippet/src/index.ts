// OwnID post-login passkey enrollment (the guide's Step 3). The IIFE build exposes these three
// functions as the global `OwnIDEnroll`.
export { initiatePasskeysEnrollment } from './enroll.js';
export { enrollOnNextPageLoad, runPendingEnrollment } from './pending.js';
export type { EnrollmentToken } from './response.js';
export type {
  EnrollmentEvent,
  EnrollmentFailureReason,
  EnrollmentOptions,
  EnrollmentOutcome,
  EnrollmentOutcomeEvent,
  EnrollmentSkipReason,
  OutcomeReportFailedEvent,
  OwnIdEnrollResult,
  ReportedOutcome,
} from './types.js';
