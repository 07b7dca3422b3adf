// npm run key:put / key:check against the Secrets Manager and CloudFormation stand-ins, through the
// real AWS SDK: every key variant gets the right outcome and message, and no output ever shows the
// private key.
import { createPrivateKey, type createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type CloudFormationStandIn,
  startCloudFormationStandIn,
} from '../support/cloudformation-stand-in.ts';
import { ecKey, type RsaTestKey, rsaKey } from '../support/keys.ts';
import { awsEnv, runCli, runNpmScript, showsPrivateKey, stubAwsEnv } from '../support/operator-cli.ts';
import {
  type SecretsManagerStandIn,
  startSecretsManagerStandIn,
} from '../support/secrets-manager-stand-in.ts';

const SECRET = 'OwnIdEnrollmentToken/ownid-private-key';
const key = rsaKey('operator');
let secrets: SecretsManagerStandIn;
let cloudFormation: CloudFormationStandIn;
let dir: string;

beforeAll(async () => {
  secrets = await startSecretsManagerStandIn();
  cloudFormation = await startCloudFormationStandIn();
  dir = mkdtempSync(join(tmpdir(), 'ownid-operator-'));
});
afterAll(async () => {
  await secrets.close();
  await cloudFormation.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  stubAwsEnv(secrets.url, cloudFormation.url);
  secrets.secrets.clear();
  secrets.emptySecrets.clear();
  secrets.emptySecrets.add(SECRET);
  secrets.puts.length = 0;
  secrets.calls.length = 0;
  secrets.mode = 'ok';
  cloudFormation.stacks.clear();
  cloudFormation.calls.length = 0;
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function keyFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const thumbprintOf = async (publicKey: ReturnType<typeof createPublicKey>) =>
  calculateJwkThumbprint(await exportJWK(publicKey), 'sha256');

/** The stored value imports as the very same key (whatever form it arrived in). */
function storedKeyIs(stored: string, expected: RsaTestKey): boolean {
  const pem = stored.startsWith('{') ? (JSON.parse(stored) as { privateKey: string }).privateKey : stored;
  const der = createPrivateKey(pem).export({ type: 'pkcs1', format: 'der' });
  return der.equals(expected.privateKey.export({ type: 'pkcs1', format: 'der' }));
}

describe('key:put: each form of the OwnID key', () => {
  const good: readonly [string, () => string, RegExp, string | undefined][] = [
    [
      'PKCS#1, as OwnID hands it out',
      () => key.pkcs1Pem,
      /RSA 2048-bit private key, PKCS#1 \(as the OwnID console/,
      undefined,
    ],
    ['PKCS#8', () => key.pkcs8Pem, /RSA 2048-bit private key, PKCS#8/, undefined],
    [
      'CRLF line ends',
      () => key.pkcs1Pem.replace(/\n/g, '\r\n'),
      /PKCS#1/,
      'Windows (CRLF) line ends made plain',
    ],
    [
      'escaped \\n (a JSON or shell round trip)',
      () => key.pkcs1Pem.replace(/\n/g, '\\n'),
      /PKCS#1/,
      'escaped "\\n" sequences turned back into line breaks',
    ],
    [
      'lines collapsed onto one',
      () => key.pkcs8Pem.replace(/\n/g, ' '),
      /PKCS#8/,
      'base64 body re-wrapped into 64-character lines',
    ],
    [
      'text around the block',
      () => `Your OwnID key:\n${key.pkcs1Pem}\nKeep it safe.`,
      /PKCS#1/,
      'text around the PEM block dropped',
    ],
  ];
  it.each(good)(
    'stores %s, repaired, and prints the public key',
    async (_label, text, description, repair) => {
      const result = await runCli('key:put', ['--file', keyFile('good.pem', text()), '--secret-id', SECRET]);
      expect(result.code, result.output).toBe(0);
      expect(result.stdout).toMatch(description);
      if (repair !== undefined) expect(result.stdout).toContain(`✓ repaired: ${repair}`);
      else expect(result.stdout).not.toContain('repaired');
      expect(result.stdout).toContain(
        `✓ stored in arn:aws:secretsmanager:eu-west-1:123456789012:secret:${SECRET}`,
      );
      expect(result.stdout).toContain(key.publicPem.trim());
      expect(result.stdout).toContain(`JWK thumbprint (SHA-256): ${await thumbprintOf(key.publicKey)}`);
      expect(showsPrivateKey(result.output, key)).toBe(false);

      expect(secrets.puts).toHaveLength(1);
      const stored = secrets.puts[0]?.secretString ?? '';
      expect(storedKeyIs(stored, key)).toBe(true);
      // Stored clean: one PEM block, 64-column lines, LF only.
      expect(stored).toMatch(
        /^-----BEGIN (RSA )?PRIVATE KEY-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END (RSA )?PRIVATE KEY-----\n$/,
      );
    },
  );

  const weak = rsaKey('operator-weak', 1024);
  const bad: readonly [string, () => string, RegExp][] = [
    ['a public key', () => key.publicPem, /found a public key; the OwnID RSA private key is needed/],
    [
      'an RSA public key (PKCS#1)',
      () => key.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      /found a public key/,
    ],
    ['an EC key (SEC1)', () => ecKey().sec1Pem, /found an EC key/],
    ['an EC key (PKCS#8)', () => ecKey().pkcs8Pem, /found a key of type EC; RS256 needs an RSA key/],
    ['a 1024-bit RSA key', () => weak.pkcs1Pem, /the RSA key has 1024 bits; at least 2048 are required/],
    [
      'an encrypted PKCS#8 PEM',
      () =>
        key.privateKey
          .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' })
          .toString(),
      /found an encrypted \(passphrase-protected\) private key; store it decrypted \(openssl pkey/,
    ],
    [
      'an encrypted PKCS#1 PEM (Proc-Type)',
      () =>
        key.privateKey
          .export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' })
          .toString(),
      /found an encrypted \(passphrase-protected\) private key/,
    ],
    ['garbage', () => 'hunter2 is not a key', /no PEM block found/],
    [
      'a truncated PEM',
      () => `${key.pkcs1Pem.slice(0, 500)}\n-----END RSA PRIVATE KEY-----\n`,
      /does not decode as a private key/,
    ],
  ];
  it.each(bad)('refuses %s, says what it is instead, stores nothing', async (_label, text, message) => {
    const result = await runCli('key:put', ['--file', keyFile('bad.pem', text()), '--secret-id', SECRET]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^✗ not the OwnID RSA private key, nothing stored: /);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).not.toContain('Public key');
    expect(secrets.puts).toHaveLength(0);
    expect(showsPrivateKey(result.output, key)).toBe(false);
    expect(showsPrivateKey(result.output, weak)).toBe(false);
  });

  it('--dry-run checks without calling AWS at all', async () => {
    const result = await runCli('key:put', ['--file', keyFile('dry.pem', key.pkcs1Pem), '--dry-run']);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('✓ dry run: checked only, nothing stored');
    expect(result.stdout).toContain(key.publicPem.trim());
    expect(secrets.puts).toHaveLength(0);
    expect(cloudFormation.calls).toHaveLength(0);
  });

  it('--kid stores the JSON form the function reads, and --public-key-out writes the public half', async () => {
    const out = join(dir, 'public.pem');
    const result = await runCli('key:put', [
      '--file',
      keyFile('kid.pem', key.pkcs1Pem),
      '--secret-id',
      SECRET,
      '--kid',
      'ownid-2026',
      '--public-key-out',
      out,
    ]);
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('kid "ownid-2026"');
    const stored = JSON.parse(secrets.puts[0]?.secretString ?? '{}') as { privateKey: string; kid: string };
    expect(stored.kid).toBe('ownid-2026');
    expect(storedKeyIs(stored.privateKey, key)).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe(key.publicPem);
  });

  it('reads the key from stdin when no file is given', async () => {
    const result = await runCli('key:put', ['--secret-id', SECRET], { stdin: key.pkcs8Pem });
    expect(result.code, result.output).toBe(0);
    expect(storedKeyIs(secrets.puts[0]?.secretString ?? '', key)).toBe(true);
  });

  it('refuses a bad --kid and unknown flags with the usage', async () => {
    const kid = await runCli('key:put', ['--file', keyFile('k.pem', key.pkcs1Pem), '--kid', 'has space']);
    expect(kid.code).toBe(2);
    expect(kid.stderr).toContain('--kid must be 1 to 256 printable characters');
    const flag = await runCli('key:put', ['--secrt-id', SECRET]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('usage: npm run key:put');
  });

  it('says when the file or stdin is empty', async () => {
    const empty = await runCli('key:put', ['--file', keyFile('empty.pem', ' \n'), '--secret-id', SECRET]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain(
      `no key given: ${join(dir, 'empty.pem')} is empty (pass --file <pem>, or pipe the PEM in)`,
    );
    const stdin = await runCli('key:put', ['--secret-id', SECRET], { stdin: '' });
    expect(stdin.stderr).toContain('no key given: stdin is empty');
    expect(secrets.puts).toHaveLength(0);
  });

  it('says which file could not be read', async () => {
    const result = await runCli('key:put', ['--file', join(dir, 'missing.pem'), '--dry-run']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot read the key from ${join(dir, 'missing.pem')} (ENOENT)`);
  });
});

describe('key:put: finding the secret', () => {
  it('takes OWNID_PRIVATE_KEY_SECRET_ID', async () => {
    const result = await runCli('key:put', ['--file', keyFile('env.pem', key.pkcs1Pem)], {
      env: { OWNID_PRIVATE_KEY_SECRET_ID: SECRET },
    });
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('(from OWNID_PRIVATE_KEY_SECRET_ID)');
    expect(secrets.puts[0]?.secretId).toBe(SECRET);
  });

  it('reads the PrivateKeySecretId output from cdk-outputs.json in the working directory', async () => {
    const cwd = mkdtempSync(join(dir, 'outputs-'));
    writeFileSync(
      join(cwd, 'cdk-outputs.json'),
      JSON.stringify({ OwnIdEnrollmentToken: { EndpointUrl: 'https://x', PrivateKeySecretId: SECRET } }),
    );
    const result = await runCli('key:put', ['--file', keyFile('o.pem', key.pkcs1Pem)], { cwd });
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain(`(from ${join(cwd, 'cdk-outputs.json')})`);
    expect(secrets.puts[0]?.secretId).toBe(SECRET);
    expect(cloudFormation.calls).toHaveLength(0);
  });

  it('asks CloudFormation for the stack output otherwise (default stack name, or --stack)', async () => {
    const cwd = mkdtempSync(join(dir, 'stack-'));
    cloudFormation.stacks.set('OwnIdEnrollmentToken', { PrivateKeySecretId: SECRET });
    const result = await runCli('key:put', ['--file', keyFile('s.pem', key.pkcs1Pem)], { cwd });
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('(from stack OwnIdEnrollmentToken)');
    expect(cloudFormation.calls).toEqual(['OwnIdEnrollmentToken']);

    const missing = await runCli(
      'key:put',
      ['--file', keyFile('s.pem', key.pkcs1Pem), '--stack', 'Shop-Prod'],
      { cwd },
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('stack "Shop-Prod" was not found in eu-west-1: pass --secret-id');
  });

  it('says so when the secret does not exist, or the credentials may not write it', async () => {
    const absent = await runCli('key:put', [
      '--file',
      keyFile('a.pem', key.pkcs1Pem),
      '--secret-id',
      'wrong/secret',
    ]);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain('secret wrong/secret (from --secret-id) does not exist in eu-west-1');
    secrets.mode = 'access-denied';
    const denied = await runCli('key:put', ['--file', keyFile('a.pem', key.pkcs1Pem), '--secret-id', SECRET]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('Secrets Manager PutSecretValue: access denied');
    expect(showsPrivateKey(denied.output, key)).toBe(false);
  });
});

describe('key:check', () => {
  it('reads the stored key, signs and verifies a test token, and shows the same public key as key:put', async () => {
    const put = await runCli('key:put', ['--file', keyFile('c.pem', key.pkcs1Pem), '--secret-id', SECRET]);
    expect(put.code, put.output).toBe(0);
    const out = join(dir, 'checked-public.pem');
    const check = await runCli('key:check', ['--secret-id', SECRET, '--public-key-out', out]);
    expect(check.code, check.output).toBe(0);
    expect(check.stdout).toMatch(
      /✓ read arn:aws:secretsmanager:eu-west-1:123456789012:secret:.+ \(from --secret-id\), version v1/,
    );
    expect(check.stdout).toContain('✓ RSA 2048-bit private key, PKCS#1');
    expect(check.stdout).toContain(
      '✓ test token signed (RS256, default profile, iss "OwnID", aud "OwnID", 60 s) and verified with the public key',
    );
    const thumbprint = (text: string) => /JWK thumbprint \(SHA-256\): (\S+)/.exec(text)?.[1];
    expect(thumbprint(check.stdout)).toBe(thumbprint(put.stdout));
    expect(readFileSync(out, 'utf8')).toBe(key.publicPem);
    expect(showsPrivateKey(check.output, key)).toBe(false);
  });

  it('signs with the session-creation profile when TOKEN_* say so', async () => {
    secrets.secrets.set(SECRET, key.pkcs8Pem);
    const check = await runCli('key:check', ['--secret-id', SECRET], {
      env: { TOKEN_PROFILE: 'session-creation', TOKEN_SITE_URL: 'https://shop.example.com' },
    });
    expect(check.code, check.output).toBe(0);
    expect(check.stdout).toContain(
      'session-creation profile, iss "https://shop.example.com", aud "https://shop.example.com"',
    );
  });

  it('points out paste damage the function has to repair at every read', async () => {
    secrets.secrets.set(SECRET, key.pkcs1Pem.replace(/\n/g, '\\n'));
    const check = await runCli('key:check', ['--secret-id', SECRET]);
    expect(check.code, check.output).toBe(0);
    expect(check.stdout).toContain(
      '! the stored text needed repair (escaped "\\n" sequences turned back into line breaks)',
    );
  });

  it.each([
    ['a public key', () => key.publicPem, /found a public key/],
    ['an EC key', () => ecKey().pkcs8Pem, /found a key of type EC/],
    ['a 1024-bit key', () => rsaKey('operator-weak', 1024).pkcs1Pem, /1024 bits/],
    ['garbage', () => 'not a key', /no PEM block found/],
  ])('fails on %s in the secret, naming the 500 it causes', async (_label, value, message) => {
    secrets.secrets.set(SECRET, value());
    const check = await runCli('key:check', ['--secret-id', SECRET]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/but it is not usable, so the endpoint answers 500 \(key_invalid\): /);
    expect(check.stderr).toMatch(message);
    expect(check.stderr).toContain('Fix it with npm run key:put -- --file <pem>');
  });

  it('says the secret is still empty right after deploy', async () => {
    const check = await runCli('key:check', ['--secret-id', SECRET]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(
      `secret ${SECRET} (from --secret-id) has no value yet, or does not exist in eu-west-1: store the key with npm run key:put`,
    );
  });

  it('refuses TOKEN_* settings the function would refuse', async () => {
    const check = await runCli('key:check', ['--secret-id', SECRET], { env: { TOKEN_PROFILE: 'session' } });
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('TOKEN_PROFILE must be "default" or "session-creation"');
  });
});

describe('through npm, in a child process', () => {
  it('key:put takes the key on stdin and key:check reads it back', async () => {
    const env = { PATH: process.env.PATH, HOME: dir, ...awsEnv(secrets.url, cloudFormation.url) };
    const put = await runNpmScript('key:put', ['--secret-id', SECRET], {
      env,
      stdin: key.pkcs1Pem.replace(/\n/g, '\r\n'),
    });
    expect(put.code, put.output).toBe(0);
    expect(put.stdout).toContain('✓ repaired: Windows (CRLF) line ends made plain');
    const check = await runNpmScript('key:check', ['--secret-id', SECRET], { env });
    expect(check.code, check.output).toBe(0);
    expect(check.stdout).toContain('verified with the public key');
    expect(showsPrivateKey(put.output + check.output, key)).toBe(false);

    const refused = await runNpmScript('key:put', ['--secret-id', SECRET], {
      env,
      stdin: generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString(),
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('found a public key');
  });
});

describe('the "shows the private key" detector these tests rely on', () => {
  it('catches the key in any form and passes the public half', () => {
    expect(showsPrivateKey(key.pkcs1Pem, key)).toBe(true);
    expect(showsPrivateKey(key.pkcs8Pem.replace(/-----[A-Z ]+-----/g, ''), key)).toBe(true);
    expect(showsPrivateKey(JSON.stringify(key.privateKey.export({ format: 'jwk' })), key)).toBe(true);
    expect(showsPrivateKey(`${key.publicPem}\nJWK thumbprint (SHA-256): abc`, key)).toBe(false);
  });
});
