// Which Chromium the browser tests drive: CHROMIUM_PATH, else one installed on the system, else the
// build that `npm ci` brought in @sparticuz/chromium (Linux x64 only), else one clear failure. Never
// `playwright install`: no download at test time.
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const SYSTEM_CHROMIUM_PATHS: Readonly<Partial<Record<NodeJS.Platform, readonly string[]>>> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ],
};

const NPM_CHROMIUM = '@sparticuz/chromium';

export type ChromiumSource = 'CHROMIUM_PATH' | 'system' | typeof NPM_CHROMIUM;

export interface FoundChromium {
  readonly path: string;
  readonly source: ChromiumSource;
}

/** What the resolver may look at, injectable so its order is tested without touching the machine. */
export interface ChromiumProbes {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  isExecutable(path: string): boolean;
  /** Unpacks the npm package's Chromium and returns its path; undefined when the package is not installed. */
  unpackNpmChromium(): Promise<string | undefined>;
}

export class ChromiumNotFoundError extends Error {
  override readonly name = 'ChromiumNotFoundError';
}

const HOW_TO_GET_ONE =
  'Set CHROMIUM_PATH to a Chromium or Chrome executable, or install Chromium or Google Chrome ' +
  `(on Linux x64, \`npm ci\` brings one in ${NPM_CHROMIUM}).`;

export async function findChromium(probes: ChromiumProbes = machineProbes()): Promise<FoundChromium> {
  const fromVariable = probes.env.CHROMIUM_PATH;
  if (fromVariable) {
    if (probes.isExecutable(fromVariable)) return { path: fromVariable, source: 'CHROMIUM_PATH' };
    // A wrong variable is a mistake to report, not a reason to test some other browser.
    throw new ChromiumNotFoundError(
      `CHROMIUM_PATH=${fromVariable} is not an executable file: point it at a Chromium or Chrome binary, or unset it.`,
    );
  }
  const systemPaths = SYSTEM_CHROMIUM_PATHS[probes.platform] ?? [];
  const installed = systemPaths.find((path) => probes.isExecutable(path));
  if (installed) return { path: installed, source: 'system' };

  let npmVerdict: string;
  if (probes.platform !== 'linux' || probes.arch !== 'x64') {
    npmVerdict = `${NPM_CHROMIUM} ships Linux x64 only, this is ${probes.platform} ${probes.arch}`;
  } else {
    const unpacked = await probes.unpackNpmChromium();
    if (unpacked) return { path: unpacked, source: NPM_CHROMIUM };
    npmVerdict = `${NPM_CHROMIUM} is not installed (run \`npm ci\`)`;
  }
  const looked = systemPaths.length > 0 ? systemPaths.join(', ') : `no known places on ${probes.platform}`;
  throw new ChromiumNotFoundError(
    `No Chromium for the browser tests. CHROMIUM_PATH is unset; nothing at ${looked}; ${npmVerdict}. ${HOW_TO_GET_ONE}`,
  );
}

function machineProbes(): ChromiumProbes {
  return {
    env: process.env,
    platform: process.platform,
    arch: process.arch,
    isExecutable,
    unpackNpmChromium,
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    // A directory passes X_OK too.
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

interface NpmChromium {
  executablePath(): Promise<string>;
}

/**
 * Unpacks the package's Chromium (brotli, ~210 MB) once per machine into a directory named after its
 * version. The package itself unpacks into the temp dir and trusts any file already there, so two
 * workers at once could launch a half-written binary: here one worker unpacks into a staging directory
 * and renames it into place (atomic, so a crash never leaves half a browser) while the others wait.
 */
async function unpackNpmChromium(): Promise<string | undefined> {
  let packageUrl: string;
  try {
    packageUrl = import.meta.resolve(NPM_CHROMIUM);
  } catch {
    return undefined;
  }
  const version = npmChromiumVersion(packageUrl);
  const home = join(tmpdir(), `ownid-test-chromium-${version}`);
  const binary = join(home, 'chromium');
  if (existsSync(binary)) return binary;
  const lock = `${home}.lock`;
  if (await waitForOtherUnpacker(lock, binary)) return binary;
  try {
    // The lock may have come free because another process just finished.
    if (!existsSync(binary)) await unpackAndRename(home, version);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return binary;
}

async function unpackAndRename(home: string, version: string): Promise<void> {
  const { default: npmChromium } = (await import(NPM_CHROMIUM)) as { default: NpmChromium };
  const staging = mkdtempSync(join(tmpdir(), 'ownid-test-chromium-staging-'));
  try {
    const unpacked = await unpackInto(npmChromium, staging);
    if (unpacked !== join(staging, 'chromium')) {
      throw new Error(
        `${NPM_CHROMIUM} ${version} unpacked to ${unpacked}, not into ${staging}: update chromium-path.ts`,
      );
    }
    renameSync(staging, home);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(home, 'chromium'))) throw error;
  }
}

// Unpacking takes seconds; a lock older than this was left by a run that died.
const STALE_LOCK_MS = 120_000;

/**
 * Takes the unpacking lock (answers false) or waits while another process holds it (answers true once
 * that one's binary is in place). Unpacking twice at once would double the first run's cost.
 */
async function waitForOtherUnpacker(lock: string, binary: string): Promise<boolean> {
  for (;;) {
    try {
      mkdirSync(lock);
      return false;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (existsSync(binary)) return true;
    const lockedAt = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
    if (lockedAt !== undefined && Date.now() - lockedAt > STALE_LOCK_MS) {
      rmSync(lock, { recursive: true, force: true });
    } else {
      await sleep(200);
    }
  }
}

function npmChromiumVersion(packageUrl: string): string {
  // The package exports only its entry point (build/index.js); package.json sits one level up.
  const packageJson = join(dirname(fileURLToPath(packageUrl)), '..', 'package.json');
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

// The package writes wherever os.tmpdir() points when executablePath() is called; it reads it before
// its first await, so TMPDIR is pointed at the staging directory for that synchronous stretch only.
function unpackInto(npmChromium: NpmChromium, staging: string): Promise<string> {
  const tmpdirBefore = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  try {
    return npmChromium.executablePath();
  } finally {
    if (tmpdirBefore === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdirBefore;
  }
}
