// The IIFE's entry: it sets the global `OwnIDEnroll` itself, because esbuild's `globalName` adds
// CommonJS-style export helpers that cost a tenth of the gzipped snippet. Keep in step with index.ts.
import { enrollOnNextPageLoad, initiatePasskeysEnrollment, runPendingEnrollment } from './index.js';

(window as { OwnIDEnroll?: object }).OwnIDEnroll = {
  enrollOnNextPageLoad,
  initiatePasskeysEnrollment,
  runPendingEnrollment,
};
