// `npm start` on a clean checkout: `tsx dev/server.ts` (after the build) in a fresh working directory
// with no `.local/` reaches dev mode and says so within 10 seconds, and `npm run smoke` passes against it.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { demoLogin } from '../support/demo-login.ts';
import { runNpmScript } from '../support/operator-cli.ts';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'node_modules/.bin');
let child: ChildProcess | undefined;
let workDir: string | undefined;

afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGTERM');
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
});

it('starts in dev mode from a clean working directory within 10 seconds', async () => {
  workDir = mkdtempSync(join(tmpdir(), 'ownid-npm-start-'));
  const startedAt = Date.now();
  // The environment of a fresh shell: no SESSION_* or OWNID_* settings; npm puts node_modules/.bin first.
  child = spawn(join(bin, 'tsx'), [join(root, 'dev/server.ts')], {
    cwd: workDir,
    env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, HOME: workDir, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no startup line within 10 s:\n${output}`)), 10_000);
    const check = () => {
      const match = /Local server ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child?.stdout?.on('data', check);
    child?.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
  expect(Date.now() - startedAt).toBeLessThan(10_000);

  expect(output).toContain('dev session issuer');
  expect(output).toContain('dev OwnID key .local/ownid-dev-private-key.pem');
  expect(output).toContain('made now: ownid-dev-private-key.pem, dev-session-issuer-key.pem');
  expect(output).toContain('ada@example.com');
  expect(output).not.toContain('PRIVATE KEY-----');
  for (const file of ['ownid-dev-private-key.pem', 'dev-session-issuer-key.pem']) {
    const path = join(workDir, '.local', file);
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  }

  const response = await fetch(`${url}/generate-auth-token`, { method: 'POST' });
  expect(response.status).toBe(401);
  const page = await fetch(`${url}/`);
  expect(page.status).toBe(200);

  // The operator's smoke test passes against it: CORS, no session, and a demo login's session as
  // the bearer, whose token verifies with the dev key's public half.
  const { cookie } = await demoLogin({ url });
  const smoke = await runNpmScript(
    'smoke',
    [
      '--url',
      `${url}/generate-auth-token`,
      '--origin',
      url,
      '--bearer',
      cookie.split('=')[1] ?? '',
      '--public-key',
      join(workDir, '.local', 'ownid-dev-private-key.pem'),
    ],
    { env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, HOME: workDir } },
  );
  expect(smoke.code, smoke.output).toBe(0);
  expect(smoke.stdout).toContain('✓ bearer session: 200 for ada@example.com; the token verifies');
  expect(smoke.stdout).toContain('✓ all 4 checks passed');

  const exited = new Promise<number | null>((resolve) => child?.on('exit', resolve));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 20_000);
