// Lambda entry (and the local server's), untraced: the bundle the stack deploys unless its `tracing`
// prop is on (then traced-handler.ts).
import { startLambdaHandler } from './start-lambda.ts';

export const handler = await startLambdaHandler();
