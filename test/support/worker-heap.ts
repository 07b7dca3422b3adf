// The heap of this thread's worker threads (the local server runs the function in one), read after
// a real garbage collection in each worker through the inspector's NodeWorker domain: RSS alone
// cannot tell garbage a worker has not collected yet from memory it keeps.
import { Session } from 'node:inspector/promises';

export interface WorkerHeap {
  readonly workerId: string;
  readonly usedBytes: number;
}

export interface WorkerHeapProbe {
  /** Collects garbage in every attached worker, then reads its used heap. */
  measure(): Promise<WorkerHeap[]>;
  close(): Promise<void>;
}

interface AttachedEvent {
  readonly params: { readonly sessionId: string; readonly workerInfo: { readonly workerId: string } };
}
interface ReceivedEvent {
  readonly params: { readonly sessionId: string; readonly message: string };
}

export async function attachWorkerHeapProbe(): Promise<WorkerHeapProbe> {
  const session = new Session();
  session.connect();
  const workers = new Map<string, string>();
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;

  session.on('NodeWorker.attachedToWorker', (event: AttachedEvent) => {
    workers.set(event.params.sessionId, event.params.workerInfo.workerId);
  });
  session.on('NodeWorker.detachedFromWorker', (event: { params: { sessionId: string } }) => {
    workers.delete(event.params.sessionId);
  });
  session.on('NodeWorker.receivedMessageFromWorker', (event: ReceivedEvent) => {
    const message = JSON.parse(event.params.message) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
    };
    if (message.id === undefined) return;
    const waiter = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(message.error.message));
    else waiter?.resolve(message.result);
  });
  await session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });

  const send = (sessionId: string, method: string): Promise<unknown> => {
    const id = nextId++;
    const answer = new Promise<unknown>((resolve, reject) => waiting.set(id, { resolve, reject }));
    void session.post('NodeWorker.sendMessageToWorker', {
      sessionId,
      message: JSON.stringify({ id, method }),
    });
    return answer;
  };

  return {
    async measure() {
      const heaps: WorkerHeap[] = [];
      for (const [sessionId, workerId] of workers) {
        for (let i = 0; i < 3; i++) await send(sessionId, 'HeapProfiler.collectGarbage');
        const usage = (await send(sessionId, 'Runtime.getHeapUsage')) as { usedSize: number };
        heaps.push({ workerId, usedBytes: usage.usedSize });
      }
      return heaps;
    },
    async close() {
      await session.post('NodeWorker.disable').catch(() => undefined);
      session.disconnect();
    },
  };
}
