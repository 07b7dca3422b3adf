// Lambda entry (and the local server's): config parsed once, dependencies built once, the key and
// JWKS fetched during init with a top-level await, then a thin middy handler per request.
import { parseConfig } from './config.ts';
import { createEnrollmentRuntime } from './create-handler.ts';
import { ConfigError } from './errors.ts';
import { formatEventLog, stdoutSink } from './request-log.ts';

function loadConfig() {
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      stdoutSink(
        formatEventLog(
          'ERROR',
          'cold-start',
          { outcome: 'config_invalid', variables: error.variables, detail: error.message },
          new Date().toISOString(),
        ),
      );
    }
    throw error;
  }
}

const runtime = createEnrollmentRuntime(loadConfig());
await runtime.warmUp();

export const handler = runtime.handler;
