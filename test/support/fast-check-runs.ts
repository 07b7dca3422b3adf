// How many runs a property test makes: its full count under `npm test`, a tenth under `npm run test:unit`
// (FAST_CHECK_RUNS_SCALE=0.1 in package.json), so the edit-test loop stays fast and CI keeps every run.
const scale = Number(process.env.FAST_CHECK_RUNS_SCALE ?? '1');
if (!(scale > 0 && scale <= 1)) throw new Error('FAST_CHECK_RUNS_SCALE must be a number in (0, 1]');

/** `fullRuns`, scaled by FAST_CHECK_RUNS_SCALE (at least 100, never more than `fullRuns`). */
export function propertyRuns(fullRuns: number): number {
  return Math.min(fullRuns, Math.max(100, Math.round(fullRuns * scale)));
}
