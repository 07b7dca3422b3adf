// The enrollment funnel's names, shared by the function that writes them and the stack that reads
// them (dashboard, alarms, the event permission) and documented in docs/contract.md.

/** CloudWatch metric names of the funnel (Embedded Metric Format members of the function's log line). */
export const FUNNEL_METRIC = {
  /** Token requests with a verified session: the device passed the snippet's eligibility check. */
  tokenRequests: 'TokenRequests',
  tokensIssued: 'TokensIssued',
  promptsSkipped: 'PromptsSkipped',
  perUserLimitHits: 'PerUserLimitHits',
  policyStoreFailures: 'PolicyStoreFailures',
  enrollmentOutcomes: 'EnrollmentOutcomes',
} as const;

/** Dimension names: distinct from the log line's own fields (`outcome`, `detail`). */
export const FUNNEL_DIMENSION = {
  platform: 'PlatformFamily',
  skipReason: 'SkipReason',
  outcome: 'EnrollmentOutcome',
} as const;

export const PLATFORM_FAMILIES = ['iOS', 'Android', 'macOS', 'Windows', 'other'] as const;
export type PlatformFamily = (typeof PLATFORM_FAMILIES)[number];

/** The EventBridge event put on the default bus for every recorded `enrolled` outcome. */
export const PASSKEY_ENROLLED_EVENT = {
  source: 'ownid.passkey-enrollment',
  detailType: 'Passkey Enrolled',
} as const;
