// Runs the built Lambda bundle in a worker thread, the way the Lambda runtime runs it: its own
// process.env (parsed once at import, as in a cold start), the top-level await done before the first
// invocation, then one (event, context) -> result per message. Loaded by Node's own type stripping,
// so only erasable TypeScript here.
import { parentPort, workerData } from 'node:worker_threads';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { lambdaContext } from './rest-event.ts';

export interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  readonly event: APIGatewayProxyEvent;
  readonly requestId: string;
  readonly deadline: number;
}

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly result: unknown }
  | { readonly type: 'error'; readonly id: number; readonly name: string };

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<unknown>;

const port = parentPort;
if (port === null) throw new Error('function-worker.ts runs as a worker thread');
const post = (reply: WorkerReply) => port.postMessage(reply);

let handler: Handler;
try {
  const module = (await import((workerData as { bundleUrl: string }).bundleUrl)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error('the bundle exports no handler function');
  handler = module.handler as Handler;
  post({ type: 'ready' });
} catch (error) {
  // The function has already logged what is wrong (a config error names the variables).
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  throw error;
}

port.on('message', async (message: InvokeMessage) => {
  if (message.type !== 'invoke') return;
  try {
    const result = await handler(message.event, lambdaContext(message.requestId, message.deadline));
    post({ type: 'result', id: message.id, result });
  } catch (error) {
    // API Gateway learns only that the invocation failed; so does the server.
    post({ type: 'error', id: message.id, name: error instanceof Error ? error.name : 'Error' });
  }
});
