// The main-thread side of function-worker.ts: starts the bundle with an environment of its own and
// invokes it with an event, like the Lambda service does. The function's stdout (its JSON log
// lines) is handed over line by line. When the function's thread dies after its cold start (a crash,
// an unhandled rejection) or an invocation times out, the host says so on the same log, fails the
// invocations in flight and starts a fresh thread (a new cold start, as Lambda would), at most one
// per second; invocations that arrive meanwhile wait for it.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
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
  /** The function's stdout line by line, and the host's own lines (restarts), like Lambda's runtime lines. */
  readonly onLog: (line: string) => void;
  /** The shortest time between two cold starts. @default 1000 */
  readonly restartIntervalMs?: number;
}

interface Waiter {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** One worker thread: one cold start, then invocations until it exits or is replaced. */
interface Instance {
  readonly worker: Worker;
  readonly calls: Map<number, Waiter>;
}

/** Starts the function and waits for its cold start (config, key, JWKS) to finish. */
export async function startFunction(options: FunctionHostOptions): Promise<FunctionHost> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const restartIntervalMs = options.restartIntervalMs ?? 1000;
  const workers = new Set<Worker>();
  let nextId = 1;
  let closed = false;
  let lastStart = 0;
  let current: Instance | undefined;

  const coldStart = (): Promise<Instance> => {
    lastStart = Date.now();
    const worker = new Worker(new URL('./function-worker.ts', import.meta.url), {
      workerData: { bundleUrl: pathToFileURL(options.bundlePath).href },
      env: { ...options.env },
      stdout: true,
    });
    workers.add(worker);
    forwardLines(worker.stdout, options.onLog);
    const instance: Instance = { worker, calls: new Map() };
    let started = false;
    let uncaught: string | undefined;
    return new Promise<Instance>((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') {
          started = true;
          current = instance;
          resolve(instance);
        } else if (reply.type === 'failed') reject(new Error(`the function did not start: ${reply.message}`));
        else {
          const waiter = instance.calls.get(reply.id);
          instance.calls.delete(reply.id);
          if (reply.type === 'result') waiter?.resolve(reply.result);
          else waiter?.reject(new InvocationError('failed'));
        }
      });
      worker.on('error', (error) => {
        uncaught = `${error.name}: ${error.message}`;
        reject(new Error(`the function did not start: ${error.message}`));
      });
      worker.on('exit', (code) => {
        workers.delete(worker);
        reject(new Error(`the function exited during its cold start (code ${code})`));
        for (const waiter of instance.calls.values()) waiter.reject(new InvocationError('failed'));
        instance.calls.clear();
        if (started && current === instance) {
          replace(
            `the function exited (code ${code}); restarting${uncaught ? ` (uncaught ${uncaught})` : ''}`,
          );
        }
      });
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
  };

  /** The instance invocations go to: the current one, or the cold start that replaces it. */
  let ready: Promise<Instance> = coldStart();

  /** Retires the current instance and starts the next one, no sooner than restartIntervalMs after the last. */
  function replace(why: string): void {
    const retired = current;
    current = undefined;
    if (closed) return;
    options.onLog(why);
    const wait = lastStart + restartIntervalMs - Date.now();
    ready = (wait > 0 ? sleep(wait) : Promise.resolve()).then(() => {
      if (closed) throw new Error('the function host is closed');
      return coldStart();
    });
    ready.catch((error: Error) => {
      if (!closed) options.onLog(error.message);
    });
    // A stuck or dying thread goes; its exit fails whatever it still had in flight.
    if (retired !== undefined) void retired.worker.terminate();
  }

  await ready;

  async function instanceFor(): Promise<Instance> {
    const attempt = ready;
    try {
      return await attempt;
    } catch {
      // The last restart's cold start failed: this invocation tries one more (Lambda retries init too).
      if (closed) throw new InvocationError('failed');
      if (ready === attempt) replace('the function did not start; starting it again');
      try {
        return await ready;
      } catch {
        throw new InvocationError('failed');
      }
    }
  }

  return {
    async invoke(event, requestId = randomUUID()) {
      if (closed) throw new InvocationError('failed');
      const instance = await instanceFor();
      const id = nextId++;
      const deadline = Date.now() + timeoutMs;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          instance.calls.delete(id);
          reject(new InvocationError('timeout'));
          // The thread may be stuck (Lambda ends a timed-out instance too): replace it.
          if (current === instance) replace(`the function did not answer within ${timeoutMs} ms; restarting`);
        }, timeoutMs + 250);
        instance.calls.set(id, {
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
        instance.worker.postMessage(message);
      });
    },
    async close() {
      closed = true;
      await Promise.all([...workers].map((worker) => worker.terminate()));
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
