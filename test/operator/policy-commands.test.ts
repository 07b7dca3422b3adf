// npm run policy:show / policy:reset against dynalite through the real AWS SDK: the user is found by
// the function's own keyed hash of the email, shown in words, and reset; the email is never printed
// back beyond what the operator typed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createPolicyStore,
  importOwnIdPrivateKey,
  userHash,
} from '../../functions/generate-auth-token/operator-api.ts';
import { DEFAULT_POLICY_SETTINGS } from '../../functions/generate-auth-token/policy/prompt-policy.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalDynamo, startLocalDynamo } from '../support/dynalite.ts';
import { rsaKey } from '../support/keys.ts';
import { runCli } from '../support/operator-cli.ts';

const key = rsaKey('policy-operator');
const EMAIL = 'ada@example.com';
let dynamo: LocalDynamo;
let dir: string;
let keyFile: string;
let hash: string;

beforeAll(async () => {
  dynamo = await startLocalDynamo('policy-state');
  dir = mkdtempSync(join(tmpdir(), 'ownid-policy-'));
  keyFile = join(dir, 'ownid.pem');
  writeFileSync(keyFile, key.pkcs1Pem);
  hash = userHash(EMAIL, (await importOwnIdPrivateKey(key.pkcs1Pem)).logHashKey);
});
afterAll(async () => {
  await dynamo.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  vi.stubEnv('AWS_REGION', LOCAL_REGION);
  vi.stubEnv('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
});

const store = () =>
  createPolicyStore({
    client: dynamo.directClient,
    tableName: dynamo.tableName,
    settings: DEFAULT_POLICY_SETTINGS,
  });

describe('npm run policy:show / policy:reset', () => {
  it("shows a snoozed user's state, resets it, and shows it gone", async () => {
    await store().countTokenRequest(hash, Date.now());
    await store().recordOutcome(hash, 'jti-1', 'cancelled', Date.now());
    const args = ['--email', EMAIL, '--table', dynamo.tableName, '--key-file', keyFile];

    const shown = await runCli('policy:show', args);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`user ${hash}`);
    expect(shown.stdout).toContain(`table ${dynamo.tableName} (from --table)`);
    const view = JSON.parse(shown.stdout.slice(shown.stdout.indexOf('{'))) as Record<string, unknown>;
    expect(view).toMatchObject({ next: 'snoozed', declines: 1, lastOutcome: 'cancelled', inRollout: true });
    expect(view.snoozedUntil).toMatch(/^\d{4}-/);

    const reset = await runCli('policy:reset', args);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(`policy state of ${hash} deleted`);
    expect(await store().readState(hash)).toBeUndefined();

    const after = await runCli('policy:show', args);
    expect(after.stdout).toContain('no policy state stored');
    expect(after.stdout).toContain('"next": "issue"');
  });

  it('finds the table from ENROLLMENT_STATE_TABLE, then from the stack outputs file', async () => {
    const fromEnv = await runCli('policy:show', ['--email', EMAIL, '--key-file', keyFile], {
      env: { ENROLLMENT_STATE_TABLE: dynamo.tableName },
    });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toContain('(from ENROLLMENT_STATE_TABLE)');

    const outputs = join(dir, 'cdk-outputs.json');
    writeFileSync(
      outputs,
      JSON.stringify({ OwnIdEnrollmentToken: { EnrollmentStateTableName: dynamo.tableName } }),
    );
    const fromFile = await runCli('policy:show', ['--email', EMAIL, '--key-file', keyFile], {
      cwd: dir,
      env: { ENROLLMENT_STATE_TABLE: '' },
    });
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain(`(from ${outputs})`);
  });

  it('refuses without --email (usage), and names a missing table without a stack trace', async () => {
    const usage = await runCli('policy:reset', ['--table', dynamo.tableName, '--key-file', keyFile]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--email is required');

    const missing = await runCli('policy:show', [
      '--email',
      EMAIL,
      '--table',
      'no-such-table',
      '--key-file',
      keyFile,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('DynamoDB GetItem');
  });
});
