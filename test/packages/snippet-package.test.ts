// The snippet's npm package as a frontend developer gets it: `npm pack` of web-snippet/, installed into a
// scratch site, bundled with esbuild from an `import`, type-checked by a strict TypeScript consumer, and
// run in Chromium against the local server, where the user sees the toast.
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JWT_SESSION_COOKIE } from '../../dev/demo-sessions.ts';
import { type LocalServer, startLocalServer } from '../../dev/local-server.ts';
import { projectRoot, webSnippetOutDir } from '../../scripts/esbuild-config.ts';
import { launchChromium, watchPage } from '../support/browser.ts';
import { ADA, demoLogin } from '../support/demo-login.ts';
import {
  execFileAsync,
  installOffline,
  packedContents,
  packTarball,
  scratchApp,
} from '../support/packed-install.ts';
import { type StaticServer, startStaticServer } from '../support/static-server.ts';
import { usePlatformAuthenticator } from '../support/virtual-authenticator.ts';

const snippetPackageDir = join(projectRoot, 'web-snippet');
const { name: PACKAGE } = JSON.parse(readFileSync(join(snippetPackageDir, 'package.json'), 'utf8')) as {
  name: string;
};

// The site's code, as its developer writes it: only the package's public entry.
const SITE_MAIN = `
import { type EnrollmentEvent, initiatePasskeysEnrollment } from '${PACKAGE}';

const events: EnrollmentEvent[] = [];
const endpoint: string = document.body.dataset.endpoint ?? '/generate-auth-token';
document.querySelector<HTMLButtonElement>('#enroll')?.addEventListener('click', async () => {
  const outcome = await initiatePasskeysEnrollment({ endpoint, onEvent: (event) => events.push(event) });
  document.body.dataset.outcome = outcome;
  document.body.dataset.events = JSON.stringify(events);
});
`;

// Type-checked only: a wrong option is an error, so the declarations reach the consumer (not `any`).
const SITE_TYPE_ERRORS = `
import { initiatePasskeysEnrollment } from '${PACKAGE}';
// @ts-expect-error timeoutMs is a number
export const wrong = () => initiatePasskeysEnrollment({ timeoutMs: '10000' });
`;

// OwnID's SDK is not part of the package: a stand-in makes a real passkey on Chromium's virtual authenticator.
const OWNID_STAND_IN = `
window.ownid = {
  async enrollCredential(email, token) {
    window.enrolledWith = { email, token };
    const credential = await navigator.credentials.create({ publicKey: {
      challenge: crypto.getRandomValues(new Uint8Array(32)),
      rp: { name: 'Scratch site' },
      user: { id: new TextEncoder().encode(email), name: email, displayName: email },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      authenticatorSelection: { authenticatorAttachment: 'platform', residentKey: 'required', userVerification: 'required' },
    } });
    return { data: { id: credential.id } };
  },
};`;

const sitePage = (endpoint: string) => `<!doctype html>
<html><head><title>Scratch site</title><script>${OWNID_STAND_IN}</script></head>
<body data-endpoint="${endpoint}"><button id="enroll">Account</button><script type="module" src="/app.js"></script></body></html>`;

let appDir: string;
let site: StaticServer;
let server: LocalServer;
let browser: Browser;
let bundle: string;
// WebAuthn takes a domain, not an IP address, as the relying party: both servers are reached as localhost.
let siteOrigin: string;
let endpointOrigin: string;

beforeAll(async () => {
  appDir = scratchApp('ownid-snippet-package-');
  const tarball = await packTarball(snippetPackageDir, appDir);
  await installOffline(appDir, tarball);
  mkdirSync(join(appDir, 'src'));
  writeFileSync(join(appDir, 'src/main.ts'), SITE_MAIN);
  writeFileSync(join(appDir, 'src/type-errors.ts'), SITE_TYPE_ERRORS);
  const result = await build({
    absWorkingDir: appDir,
    entryPoints: ['src/main.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  bundle = result.outputFiles[0]?.text ?? '';

  site = await startStaticServer();
  siteOrigin = `http://localhost:${site.port}`;
  server = await startLocalServer({
    port: 0,
    // Dev mode (a dev OwnID key, the demo's session issuer); the site is another origin of the same host.
    env: { PATH: process.env.PATH, ALLOWED_ORIGINS: siteOrigin },
    devDir: join(appDir, '.local'),
    onFunctionLog: () => undefined,
  });
  endpointOrigin = `http://localhost:${server.port}`;
  site.file('/', sitePage(`${endpointOrigin}/generate-auth-token`));
  site.file('/app.js', bundle);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await site?.close();
  if (appDir !== undefined) rmSync(appDir, { recursive: true, force: true });
});

describe(`npm pack of ${PACKAGE}`, () => {
  it('holds the built ES module, its declarations, the IIFE, the README and package.json only', async () => {
    const { files } = await packedContents(snippetPackageDir);
    expect(files.map((file) => file.path).sort()).toEqual([
      'README.md',
      'dist/device.d.ts',
      'dist/enroll.d.ts',
      'dist/index.d.ts',
      'dist/ownid-enroll.d.mts',
      'dist/ownid-enroll.min.js',
      'dist/ownid-enroll.mjs',
      'dist/pending.d.ts',
      'dist/report-outcome.d.ts',
      'dist/response.d.ts',
      'dist/toast.d.ts',
      'dist/types.d.ts',
      'package.json',
    ]);
  });

  it('installs the files the root build made', () => {
    const installed = join(appDir, 'node_modules', PACKAGE);
    for (const file of ['ownid-enroll.mjs', 'ownid-enroll.min.js']) {
      expect(readFileSync(join(installed, 'dist', file))).toEqual(readFileSync(join(webSnippetOutDir, file)));
    }
    // The script-tag build, for copying to the site's own static hosting.
    const resolve = createRequire(join(appDir, 'package.json')).resolve;
    expect(realpathSync(resolve(`${PACKAGE}/iife`))).toBe(
      realpathSync(join(installed, 'dist/ownid-enroll.min.js')),
    );
  });
});

describe('a site that imports the package', () => {
  it('type-checks under strict TypeScript, with Bundler and with NodeNext resolution', async () => {
    const checks = ['Bundler', 'NodeNext'].map((moduleResolution) => {
      const tsconfig = join(appDir, `tsconfig.${moduleResolution}.json`);
      writeFileSync(
        tsconfig,
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noUncheckedIndexedAccess: true,
            module: moduleResolution === 'Bundler' ? 'ESNext' : 'NodeNext',
            moduleResolution,
            target: 'ES2020',
            lib: ['ES2020', 'DOM'],
            types: [],
            noEmit: true,
            // The package's declarations are checked; TypeScript's own lib files are not (seconds each).
            skipDefaultLibCheck: true,
          },
          files: ['src/main.ts', 'src/type-errors.ts'],
        }),
      );
      // Rejects with tsc's output on any error, including an unused @ts-expect-error (untyped import).
      return execFileAsync(join(projectRoot, 'node_modules/.bin/tsc'), ['-p', tsconfig], { cwd: appDir });
    });
    await Promise.all(checks);
  }, 300_000);

  it('tree-shakes: a bundle of enrollOnNextPageLoad alone leaves out the enrollment and the toast', async () => {
    writeFileSync(
      join(appDir, 'src/login.ts'),
      `import { enrollOnNextPageLoad } from '${PACKAGE}';\nenrollOnNextPageLoad();\n`,
    );
    const result = await build({
      absWorkingDir: appDir,
      entryPoints: ['src/login.ts'],
      bundle: true,
      format: 'esm',
      write: false,
    });
    const loginBundle = result.outputFiles[0]?.text ?? '';
    expect(loginBundle).toContain('sessionStorage');
    expect(bundle).toContain('ownid-enroll-toast');
    expect(loginBundle).not.toContain('ownid-enroll-toast');
    expect(loginBundle).not.toContain('enrollCredential');
  });

  it('enrolls in Chromium against the local server: the user sees the toast', async () => {
    const { cookie } = await demoLogin(server);
    const [name, value] = cookie.split('=') as [string, string];
    expect(name).toBe(JWT_SESSION_COOKIE);
    const context = await browser.newContext();
    // Cookies are per host, not per port: the session reaches the endpoint from the site (same site).
    await context.addCookies([{ name, value, domain: 'localhost', path: '/', sameSite: 'Lax' }]);
    const page = await context.newPage();
    const problems = await watchPage(page);
    const { session, authenticatorId } = await usePlatformAuthenticator(page, 'present');

    await page.goto(`${siteOrigin}/`);
    await page.click('#enroll');
    await page.waitForSelector('body[data-outcome]', { timeout: 10_000 });
    // The events first: on a failure they say why.
    expect(JSON.parse((await page.locator('body').getAttribute('data-events')) ?? '[]')[0]).toEqual({
      type: 'enrolled',
    });
    expect(await page.locator('body').getAttribute('data-outcome')).toBe('enrolled');
    await expect
      .poll(() => page.locator('[data-ownid-enroll-toast] [role="status"]').textContent(), { timeout: 5000 })
      .toBe('Passkey successfully created!');

    const enrolledWith = (await page.evaluate('window.enrolledWith')) as { email: string; token: string };
    expect(enrolledWith.email).toBe(ADA.email);
    const claims = JSON.parse(Buffer.from(enrolledWith.token.split('.')[1] ?? '', 'base64url').toString());
    expect(claims.sub).toBe(ADA.email);
    const { credentials } = await session.send('WebAuthn.getCredentials', {
      authenticatorId: authenticatorId!,
    });
    expect(credentials).toHaveLength(1);
    expect(problems.pageErrors).toEqual([]);
    expect(problems.unhandledRejections).toEqual([]);
    await context.close();
  });

  it('loads the IIFE from a script tag: the global OwnIDEnroll', async () => {
    site.fileFromDisk(
      '/assets/ownid-enroll.min.js',
      join(appDir, 'node_modules', PACKAGE, 'dist/ownid-enroll.min.js'),
    );
    site.file('/plain', '<!doctype html><script src="/assets/ownid-enroll.min.js"></script>');
    const page = await browser.newPage();
    await page.goto(`${siteOrigin}/plain`);
    expect(
      await page.evaluate(() => Object.keys((window as { OwnIDEnroll?: object }).OwnIDEnroll ?? {}).sort()),
    ).toEqual(['enrollOnNextPageLoad', 'initiatePasskeysEnrollment', 'runPendingEnrollment']);
    await page.close();
  });
});
