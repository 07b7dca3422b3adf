// A real DynamoDB API on 127.0.0.1: dynalite in-process, behind a small TCP proxy that a test can
// pause (the store hangs: connections open, no bytes) or take down (connections refused). The
// client is the real AWS SDK v3 client, so every call goes through signing, HTTP and parsing.

import { randomBytes } from 'node:crypto';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createStateTable, localDynamoClient, startDynalite } from '../../dev/state-store-local.ts';

export {
  createStateTable,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localDynamoClient,
} from '../../dev/state-store-local.ts';

export interface LocalDynamo {
  /** Talks to dynalite through the proxy (what hang() and down() act on). */
  readonly client: DynamoDBClient;
  /** Talks to dynalite directly: the loopback floor, for measurements. */
  readonly directClient: DynamoDBClient;
  /** The proxy's URL, for AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  readonly tableName: string;
  /** Holds every byte both ways, on open and new connections, until resume(). */
  hang(): void;
  resume(): void;
  /** Closes the proxy's port and drops its connections: every call is refused. */
  down(): Promise<void>;
  stop(): Promise<void>;
}

/** A fresh user key shaped like the function's keyed hash (22 base64url characters). */
export const randomUserHash = () => randomBytes(16).toString('base64url').slice(0, 22);

function listen(server: { listen(port: number, host: string, cb: () => void): unknown; address(): unknown }) {
  return new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

export async function startLocalDynamo(tableName = 'enrollment-state'): Promise<LocalDynamo> {
  // Its close() waits for requests still being answered (e.g. one a test gave up on).
  const store = await startDynalite();
  const storePort = store.port;

  let hanging = false;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (hanging) socket.pause();
  };
  const proxy = createServer((downstream) => {
    const upstream = connect(storePort, '127.0.0.1');
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    // After pipe(), which sets both flowing: a connection opened while hanging must stay paused.
    track(downstream);
    track(upstream);
    downstream.on('close', () => upstream.destroy());
    upstream.on('close', () => downstream.destroy());
  });
  const proxyPort = await listen(proxy);
  const endpoint = `http://127.0.0.1:${proxyPort}`;

  const client = localDynamoClient(endpoint);
  const directClient = localDynamoClient(`http://127.0.0.1:${storePort}`);
  await createStateTable(directClient, tableName);

  const closeProxy = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!proxy.listening) return resolve();
      proxy.close(() => resolve());
    });

  return {
    client,
    directClient,
    endpoint,
    tableName,
    hang() {
      hanging = true;
      for (const socket of sockets) socket.pause();
    },
    resume() {
      hanging = false;
      for (const socket of sockets) socket.resume();
    },
    down: closeProxy,
    async stop() {
      client.destroy();
      directClient.destroy();
      await closeProxy();
      await store.close();
    },
  };
}
