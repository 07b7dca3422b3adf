// Build-time stand-in for node:https (see scripts/esbuild-config.ts): loaded with require(), because
// an ESM import builds a facade that reads every export and http's lazy WebSocket/CloseEvent/
// MessageEvent getters then load undici, 30-50 ms of a cold start here. Only what the bundle uses
// is re-exported; a new named import fails the build until it is listed.
import { createRequire } from 'node:module';

const https: typeof import('node:https') = createRequire(import.meta.url)('node:https');
export default https;
export const { request, get, Agent } = https;
