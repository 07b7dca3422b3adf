// What both Lambda entries do at cold start: config parsed once, dependencies built once, the key and
// JWKS fetched during init (the entries' top-level await), then a thin middy handler per request.
import { parseConfig } from './config.ts';
import { createEnrollmentRuntime, type EnrollmentHandler, type HandlerOptions } from './create-handler.ts';
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

export async function startLambdaHandler(options: HandlerOptions = {}): Promise<EnrollmentHandler> {
  const runtime = createEnrollmentRuntime(loadConfig(), options);
  await runtime.warmUp();
  return runtime.handler;
}
