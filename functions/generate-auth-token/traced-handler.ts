// Lambda entry when the stack's `tracing` prop is on: the same handler, its outbound calls X-Ray
// subsegments. A bundle of its own, so the default one carries none of X-Ray's weight.
import { startLambdaHandler } from './start-lambda.ts';
import { xrayCallTracing } from './tracing/xray-call-tracing.ts';

export const handler = await startLambdaHandler({ tracing: xrayCallTracing() });
