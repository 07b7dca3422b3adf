// A real DynamoDB API on 127.0.0.1: dynalite in-process, behind a small TCP proxy that a test can
// pause (the store hangs: connections open, no bytes) or take down (connections refused). The
// client is the real AWS SDK v3 client, so every call goes through signing, HTTP and parsing.

import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';

type DynaliteFactory = (options?: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;
const dynalite: DynaliteFactory = createRequire(import.meta.url)('dynalite');

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

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';

/** The client a test uses: the production client's attempts and timeouts, pointed at `endpoint`. */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    region: LOCAL_REGION,
    endpoint,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
  });
}

/**
 * The table as the stack makes it: partition key `pk` (S) only, on-demand. dynalite has no
 * UpdateTimeToLive (and never expires items), so TTL on `expiresAt` exists only in the stack.
 */
export async function createStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName: tableName });
}

function listen(server: { listen(port: number, host: string, cb: () => void): unknown; address(): unknown }) {
  return new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

export async function startLocalDynamo(tableName = 'enrollment-state'): Promise<LocalDynamo> {
  const store = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // Requests still being answered (e.g. one a test gave up on): stop() waits for them, as
  // closing dynalite's database under them throws from inside dynalite.
  let inFlight = 0;
  store.on('request', (_request, response) => {
    inFlight++;
    response.on('close', () => inFlight--);
  });
  const storePort = await listen(store);

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
      for (let waited = 0; inFlight > 0 && waited < 2000; waited += 10) await delay(10);
      await new Promise<void>((resolve) => store.close(() => resolve()));
    },
  };
}
