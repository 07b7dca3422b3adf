// The embedded state store of `npm start`: dynalite (a DynamoDB-compatible server, in memory, in this
// process) on 127.0.0.1, with the table made the way the stack makes it. The function reaches it with
// the same AWS SDK calls as in production, through AWS_ENDPOINT_URL_DYNAMODB. The tests' store
// (test/support/dynalite.ts) starts it and makes its table with these same functions.
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';

type DynaliteFactory = (options?: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;
const dynalite: DynaliteFactory = createRequire(import.meta.url)('dynalite');

export const LOCAL_STATE_TABLE = 'enrollment-state-local';
/** dynalite accepts any signature; the SDK only needs something to sign with. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

/** A client with the function's attempts and timeouts, pointed at `endpoint` with the local credentials. */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    region: LOCAL_REGION,
    endpoint,
    // A copy: the SDK marks the object it is given (a frozen one makes every call throw).
    credentials: { ...LOCAL_CREDENTIALS },
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

export interface Dynalite {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Waits for requests still being answered (closing the database under them throws inside dynalite). */
  close(): Promise<void>;
}

/** dynalite in memory on 127.0.0.1 and an ephemeral port; tables are created at once. */
export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let inFlight = 0;
  server.on('request', (_request, response) => {
    inFlight++;
    response.on('close', () => inFlight--);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async close() {
      for (let waited = 0; inFlight > 0 && waited < 2000; waited += 10) await delay(10);
      // Idle keep-alive connections would hold close() open.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface EmbeddedStateStore {
  readonly endpoint: string;
  readonly tableName: string;
  /** A client on the store for the local server's own reads (the demo panel). */
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

/** dynalite with the state table made: what `npm start` runs when no ENROLLMENT_STATE_TABLE is set. */
export async function startEmbeddedStateStore(tableName = LOCAL_STATE_TABLE): Promise<EmbeddedStateStore> {
  const store = await startDynalite();
  const client = localDynamoClient(store.endpoint);
  try {
    await createStateTable(client, tableName);
  } catch (error) {
    client.destroy();
    await store.close();
    throw error;
  }
  return {
    endpoint: store.endpoint,
    tableName,
    client,
    async close() {
      client.destroy();
      await store.close();
    },
  };
}
