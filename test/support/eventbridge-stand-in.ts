// A protocol-level stand-in for Amazon EventBridge on 127.0.0.1: it speaks the JSON 1.1 protocol
// (`X-Amz-Target: AWSEvents.PutEvents`) that the real AWS SDK v3 client sends when
// AWS_ENDPOINT_URL_EVENTBRIDGE points at it. Each test sets the failure mode and reads the entries.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `failed-entry`: 200 with FailedEntryCount 1, as EventBridge answers a refused entry. */
export type EventBridgeMode = 'ok' | 'internal-error' | 'access-denied' | 'failed-entry' | 'hang';

export interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
  readonly Time?: number;
}

export interface EventBridgeStandIn {
  readonly url: string;
  mode: EventBridgeMode;
  /** Every entry received, in order (failed ones included). */
  readonly entries: PutEventsEntry[];
  /** PutEvents calls received (retries included). */
  calls: number;
  close(): Promise<void>;
}

export async function startEventBridgeStandIn(): Promise<EventBridgeStandIn> {
  const hanging = new Set<ServerResponse>();
  const standIn: { -readonly [K in keyof EventBridgeStandIn]: EventBridgeStandIn[K] } = {
    url: '',
    mode: 'ok',
    entries: [],
    calls: 0,
    close: async () => {},
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = (status: number, body: unknown, errorType?: string) => {
        res.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
        });
        res.end(JSON.stringify(body));
      };
      const error = (status: number, type: string, message: string) =>
        answer(status, { __type: type, message }, type);
      if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        return error(400, 'UnknownOperationException', 'unknown operation');
      }
      let request: { Entries?: PutEventsEntry[] };
      try {
        request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof request;
      } catch {
        return error(400, 'SerializationException', 'bad body');
      }
      standIn.calls += 1;
      const entries = request.Entries ?? [];
      standIn.entries.push(...entries);
      switch (standIn.mode) {
        case 'internal-error':
          return error(500, 'InternalException', 'boom');
        case 'access-denied':
          return error(400, 'AccessDeniedException', 'not authorized to perform events:PutEvents');
        case 'failed-entry':
          return answer(200, {
            FailedEntryCount: entries.length,
            Entries: entries.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' })),
          });
        case 'hang':
          hanging.add(res);
          return undefined;
        default:
          return answer(200, {
            FailedEntryCount: 0,
            Entries: entries.map((_, index) => ({ EventId: `event-${standIn.calls}-${index}` })),
          });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standIn;
}

/** The environment the real SDK needs to reach the stand-in (no real credentials, no real AWS). */
export function eventBridgeEnv(url: string): Record<string, string> {
  return {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIATESTSTANDIN00000',
    AWS_SECRET_ACCESS_KEY: 'test-secret-for-stand-in-only',
    AWS_ENDPOINT_URL_EVENTBRIDGE: url,
  };
}
