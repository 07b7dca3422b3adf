// One configured function over the stand-ins (test/support/stand.ts). Tests build a handler per
// env and call it exactly as API Gateway would, with every log line captured.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { parseConfig } from '../../functions/generate-auth-token/config.ts';
import {
  createEnrollmentRuntime,
  type EnrollmentRuntime,
} from '../../functions/generate-auth-token/create-handler.ts';
import { lambdaContext } from './events.ts';

export * from './stand.ts';

export interface TestFunction {
  readonly runtime: EnrollmentRuntime;
  readonly logs: string[];
  invoke(event: APIGatewayProxyEvent): ReturnType<EnrollmentRuntime['handler']>;
}

/**
 * A handler built the way handler.ts builds it, from an env. The AWS_* variables go into
 * process.env (each test file runs in its own worker) because the real SDK resolves its endpoint
 * and credentials from there lazily, at the first call.
 */
export function createTestFunction(
  env: Record<string, string>,
  options: { now?: () => number } = {},
): TestFunction {
  for (const [name, value] of Object.entries(env)) if (name.startsWith('AWS_')) process.env[name] = value;
  const logs: string[] = [];
  const runtime = createEnrollmentRuntime(parseConfig(env), {
    log: (line) => logs.push(line),
    now: options.now,
  });
  return { runtime, logs, invoke: (event) => runtime.handler(event, lambdaContext()) };
}
