// The built bundle, loaded the way Lambda loads an .mjs handler: a plain ESM import in a fresh
// Node process, with no `require` in scope, configured only through its environment.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipBytes, lambdaBundlePath } from '../../scripts/esbuild-config.ts';
import { restEvent } from '../support/events.ts';
import { ecKey, rsaKey } from '../support/keys.ts';
import { issuerSession, type Stand, startStand } from '../support/scenario.ts';

const run = promisify(execFile);

// Runs in the child: import the bundle, invoke once, print the result.
const LOADER = `
const { handler } = await import(process.env.BUNDLE_URL);
const context = { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 5000 };
const result = await handler(JSON.parse(process.env.EVENT_JSON), context);
process.stdout.write('RESULT ' + JSON.stringify({ result, requireInScope: typeof require !== 'undefined' }) + '\\n');
`;

let stand: Stand;
beforeAll(async () => {
  stand = await startStand();
});
afterAll(() => stand.close());

async function invokeBundle(secretId: string, event: object) {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', LOADER], {
    env: {
      PATH: process.env.PATH,
      ...stand.env,
      OWNID_PRIVATE_KEY_SECRET_ID: secretId,
      BUNDLE_URL: new URL(`file://${lambdaBundlePath}`).href,
      EVENT_JSON: JSON.stringify(event),
    },
    timeout: 20_000,
  });
  const lines = stdout.trim().split('\n');
  const result = JSON.parse(lines.find((line) => line.startsWith('RESULT '))!.slice(7));
  const logs = lines.filter((line) => !line.startsWith('RESULT ')).map((line) => JSON.parse(line));
  return { ...result, logs };
}

describe('dist/functions/generate-auth-token/index.mjs in a fresh process', () => {
  it('exists (npm run build runs before the tests)', () => {
    expect(existsSync(lambdaBundlePath)).toBe(true);
  });

  it('stays within its size budget (350 KB raw, 110 KB gzip) and ships no default credential chain', () => {
    const bundle = readFileSync(lambdaBundlePath, 'utf8');
    expect(bundle.length).toBeLessThanOrEqual(350 * 1024);
    expect(gzipBytes(lambdaBundlePath)).toBeLessThanOrEqual(110 * 1024);
    // SSO/STS/IMDS providers would show up by their endpoints and environment variables.
    expect(bundle).not.toContain('AWS_CONTAINER_CREDENTIALS_FULL_URI');
    expect(bundle).not.toContain('portal.sso');
  });

  it('issues a token for a valid session, with the key fetched during init', async () => {
    stand.secretsManager.secrets.set('bundle/pkcs1', rsaKey('ownid').pkcs1Pem);
    const event = restEvent({ headers: { Authorization: `Bearer ${await issuerSession(stand)}` } });
    const { result, requireInScope, logs } = await invokeBundle('bundle/pkcs1', event);
    expect(requireInScope).toBe(false);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).email).toBe('ada@example.com');
    expect(logs.at(-1)).toMatchObject({ outcome: 'issued', coldStart: true, source: 'bearer' });
  });

  it.each([
    ['a public key', () => rsaKey('ownid').publicPem, /public key/],
    ['an EC key', () => ecKey().pkcs8Pem, /key of type EC/],
    ['a 1024-bit key', () => rsaKey('small', 1024).pkcs1Pem, /1024 bits/],
    ['garbage', () => 'not a key at all', /no PEM block/],
  ])('refuses %s in the secret with 500 and a log line that says why', async (_label, makeSecret, why) => {
    stand.secretsManager.secrets.set('bundle/bad', makeSecret());
    const event = restEvent({ headers: { Authorization: `Bearer ${await issuerSession(stand)}` } });
    const { result, logs } = await invokeBundle('bundle/bad', event);
    expect(result.statusCode).toBe(500);
    expect(result.body).toBe('{"message":"Internal Server Error"}');
    const requestLine = logs.at(-1);
    expect(requestLine).toMatchObject({ outcome: 'key_invalid', status: 500 });
    expect(requestLine.detail).toMatch(why);
    expect(JSON.stringify(logs)).not.toMatch(/BEGIN|MII/);
  });

  it('fails the cold start naming the variable when the config is wrong', async () => {
    const error = await run(process.execPath, ['--input-type=module', '-e', LOADER], {
      env: {
        PATH: process.env.PATH,
        BUNDLE_URL: new URL(`file://${lambdaBundlePath}`).href,
        EVENT_JSON: '{}',
        OWNID_PRIVATE_KEY_SECRET_ID: 'x',
      },
      timeout: 20_000,
    }).catch((e: { stdout: string; code: number }) => e);
    expect((error as { code: number }).code).not.toBe(0);
    const line = JSON.parse((error as { stdout: string }).stdout.trim().split('\n')[0]!);
    expect(line).toMatchObject({
      level: 'ERROR',
      message: 'cold-start',
      outcome: 'config_invalid',
      variables: ['SESSION_COGNITO_USER_POOL_ID'],
    });
  });
});
