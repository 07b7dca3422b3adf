// Runs an operator command (scripts/operator/cli.ts) in-process, as `npm run <command> -- <args>`
// would, with captured output. The AWS SDK reads process.env, so AWS settings go through vi.stubEnv.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { vi } from 'vitest';
import { runOperatorCommand } from '../../scripts/operator/cli.ts';
import type { RsaTestKey } from './keys.ts';
import { secretsManagerEnv } from './secrets-manager-stand-in.ts';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together, for "never prints" checks. */
  readonly output: string;
}

export async function runCli(
  command: string,
  args: readonly string[],
  options: { cwd?: string; stdin?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runOperatorCommand(command, args, {
    env: { ...process.env, ...options.env },
    cwd: options.cwd ?? process.cwd(),
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    readStdin: async () => options.stdin ?? '',
  });
  return {
    code,
    stdout: stdout.join('\n'),
    stderr: stderr.join('\n'),
    output: [...stdout, ...stderr].join('\n'),
  };
}

/** The same command through npm, in a child process (the operator's real path, stdin included). */
export function runNpmScript(
  command: string,
  args: readonly string[],
  options: { env: Record<string, string | undefined>; stdin?: string },
): Promise<CliResult> {
  const root = join(import.meta.dirname, '../..');
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', command, '--', ...args], {
      cwd: root,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, output: stdout + stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** Points the real SDK at the stand-ins and away from any real profile or credentials on the machine. */
export function stubAwsEnv(secretsManagerUrl: string, cloudFormationUrl?: string): void {
  for (const [name, value] of Object.entries(awsEnv(secretsManagerUrl, cloudFormationUrl)))
    vi.stubEnv(name, value);
  for (const name of [
    'OWNID_PRIVATE_KEY_SECRET_ID',
    'AWS_PROFILE',
    'TOKEN_PROFILE',
    'TOKEN_ISSUER',
    'TOKEN_AUDIENCE',
    'TOKEN_SITE_URL',
    'TOKEN_TTL_SECONDS',
  ]) {
    vi.stubEnv(name, undefined);
  }
}

export function awsEnv(secretsManagerUrl: string, cloudFormationUrl?: string): Record<string, string> {
  return {
    ...secretsManagerEnv(secretsManagerUrl),
    ...(cloudFormationUrl === undefined ? {} : { AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormationUrl }),
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/**
 * True when any part of the private key shows: a PEM private-key label, or a 32-character run of its
 * PEM base64 or of its private JWK members. The public key PEM (which shares the modulus) is set aside first.
 */
export function showsPrivateKey(output: string, key: RsaTestKey): boolean {
  if (/PRIVATE KEY/.test(output)) return true;
  const scrubbed = output.split(key.publicPem.trim()).join('').replace(/\s+/g, '');
  const { d, p, q } = key.privateKey.export({ format: 'jwk' });
  const secrets = [key.pkcs1Pem, key.pkcs8Pem].map((pem) =>
    pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''),
  );
  for (const text of [...secrets, d ?? '', p ?? '', q ?? '']) {
    for (let start = 0; start + 32 <= text.length; start += 16) {
      if (scrubbed.includes(text.slice(start, start + 32))) return true;
    }
  }
  return false;
}
