// npm run policy:show | policy:reset -- --email <e>: one user's prompt policy state, found by the
// keyed hash the function computes (its own code, through operator-api.ts) from the deployed key.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  createDynamoDbClient,
  createPolicyStore,
  PrivateKeyFormatError,
  parsePolicyConfig,
  policyView,
  userHash,
} from '../../functions/generate-auth-token/operator-api.ts';
import { awsFailure, stackOutput } from './aws.ts';
import { readDeployedKey } from './deployed-key.ts';
import { OperatorError, type OperatorIo, UsageError } from './io.ts';
import { examineKeyText } from './key-report.ts';
import { DEPLOYED_SECRET_OPTIONS, deployedSecretLookup, parseOptions } from './options.ts';

/** The stack output naming the state table. */
export const STATE_TABLE_OUTPUT = 'StateTableName';
const OPTIONS_USAGE =
  '-- --email <email> [--table <name>] [--key-file <pem>] [--secret-id <id>] [--stack <name>] [--outputs-file <path>]';
export const POLICY_SHOW_USAGE = `npm run policy:show ${OPTIONS_USAGE}`;
export const POLICY_RESET_USAGE = `npm run policy:reset ${OPTIONS_USAGE}`;
/** Operators wait longer than a request does. */
const OPERATOR_STORE_TIMEOUT_MS = 5000;

async function openUser(args: readonly string[], io: OperatorIo) {
  const { values } = parseOptions(args, {
    email: { type: 'string' },
    table: { type: 'string' },
    'key-file': { type: 'string' },
    ...DEPLOYED_SECRET_OPTIONS,
  });
  const email = values.email?.trim();
  if (email === undefined || email === '') throw new UsageError('--email is required');
  const lookup = deployedSecretLookup(values);

  let tableName = values.table ?? io.env.ENROLLMENT_STATE_TABLE?.trim();
  let tableSource = values.table === undefined ? 'ENROLLMENT_STATE_TABLE' : '--table';
  if (tableName === undefined || tableName === '') {
    const output = await stackOutput(STATE_TABLE_OUTPUT, '--table <name>', lookup, io);
    tableName = output.value;
    tableSource = output.source;
  }

  let key: Awaited<ReturnType<typeof examineKeyText>>['key'];
  if (values['key-file'] !== undefined) {
    try {
      key = (await examineKeyText(readFileSync(resolve(io.cwd, values['key-file']), 'utf8'))).key;
    } catch (error) {
      if (error instanceof PrivateKeyFormatError) throw new OperatorError(`--key-file: ${error.message}`);
      throw new OperatorError(`cannot read --key-file ${values['key-file']}`);
    }
  } else {
    key = (await readDeployedKey(lookup, io)).report.key;
  }

  const settings = parsePolicyConfig(io.env);
  const client = createDynamoDbClient();
  const store = createPolicyStore({ client, tableName, settings, timeoutMs: OPERATOR_STORE_TIMEOUT_MS });
  const hash = userHash(email, key.logHashKey);
  io.out(`user ${hash} (the log line's emailHash) in table ${tableName} (from ${tableSource})`);
  return { store, client, hash, settings };
}

async function storeCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw awsFailure(`DynamoDB ${operation}`, (error as { cause?: unknown }).cause ?? error);
  }
}

export async function policyShow(args: readonly string[], io: OperatorIo): Promise<number> {
  const { store, client, hash, settings } = await openUser(args, io);
  try {
    const state = await storeCall('GetItem', () => store.readState(hash));
    if (state === undefined) io.out('no policy state stored: the next token request is judged afresh');
    io.out(JSON.stringify(policyView(hash, state, settings, Date.now()), null, 2));
    return 0;
  } finally {
    client.destroy();
  }
}

export async function policyReset(args: readonly string[], io: OperatorIo): Promise<number> {
  const { store, client, hash } = await openUser(args, io);
  try {
    await storeCall('DeleteItem', () => store.resetState(hash));
    io.out(`✓ policy state of ${hash} deleted: declines, snooze, pause, enrolment and counts start afresh`);
    return 0;
  } finally {
    client.destroy();
  }
}
