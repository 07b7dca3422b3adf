// The main-thread side of function-worker.ts: starts the bundle with an environment of its own and
// invokes it with an event, like the Lambda service does. The function's stdout (its JSON log
// lines) is handed over line by line.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { InvokeMessage, WorkerReply } from './function-worker.ts';

export interface FunctionHost {
  /** Resolves to the handler's result; rejects when the invocation fails or times out. */
  invoke(event: APIGatewayProxyEvent, requestId?: string): Promise<unknown>;
  close(): Promise<void>;
}

export class InvocationError extends Error {
  override readonly name = 'InvocationError';
  constructor(readonly kind: 'failed' | 'timeout') {
    super(kind === 'timeout' ? 'the function did not answer in time' : 'the function invocation failed');
  }
}

export interface FunctionHostOptions {
  readonly bundlePath: string;
  readonly env: Readonly<Record<string, string>>;
  /** Like the Lambda timeout. @default 10000 */
  readonly timeoutMs?: number;
  readonly onLog: (line: string) => void;
}

/** Starts the function and waits for its cold start (config, key, JWKS) to finish. */
export async function startFunction(options: FunctionHostOptions): Promise<FunctionHost> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const worker = new Worker(new URL('./function-worker.ts', import.meta.url), {
    workerData: { bundleUrl: pathToFileURL(options.bundlePath).href },
    env: { ...options.env },
    stdout: true,
  });
  forwardLines(worker.stdout, options.onLog);

  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let exited = false;

  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') resolve();
      else if (reply.type === 'failed') reject(new Error(`the function did not start: ${reply.message}`));
      else {
        const waiter = pending.get(reply.id);
        pending.delete(reply.id);
        if (reply.type === 'result') waiter?.resolve(reply.result);
        else waiter?.reject(new InvocationError('failed'));
      }
    });
    worker.on('error', (error) => reject(new Error(`the function did not start: ${error.message}`)));
    worker.on('exit', (code) => {
      exited = true;
      reject(new Error(`the function exited during its cold start (code ${code})`));
      for (const waiter of pending.values()) waiter.reject(new InvocationError('failed'));
      pending.clear();
    });
  });
  try {
    await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }

  return {
    invoke(event, requestId = randomUUID()) {
      if (exited) return Promise.reject(new InvocationError('failed'));
      const id = nextId++;
      const deadline = Date.now() + timeoutMs;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new InvocationError('timeout'));
        }, timeoutMs + 250);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        const message: InvokeMessage = { type: 'invoke', id, event, requestId, deadline };
        worker.postMessage(message);
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (buffered !== '') onLine(buffered);
  });
}
