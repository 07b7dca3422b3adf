// The browser resolver's order, with the machine replaced by probes: CHROMIUM_PATH, then a system
// Chromium or Chrome, then the npm package's build, then one failure that says how to get a browser.
import { describe, expect, it } from 'vitest';
import {
  ChromiumNotFoundError,
  type ChromiumProbes,
  findChromium,
  SYSTEM_CHROMIUM_PATHS,
} from '../support/chromium-path.ts';

const NPM_BUILD = '/tmp/ownid-test-chromium-153.0.0/chromium';

interface Machine {
  env?: Record<string, string>;
  platform?: NodeJS.Platform;
  arch?: string;
  executables?: string[];
  npmPackage?: boolean;
}

/** Probes for a pretend machine, and a log of the npm package unpacks it was asked for. */
function machine({
  env = {},
  platform = 'linux',
  arch = 'x64',
  executables = [],
  npmPackage = true,
}: Machine) {
  const unpacks: string[] = [];
  const probes: ChromiumProbes = {
    env,
    platform,
    arch,
    isExecutable: (path) => executables.includes(path),
    unpackNpmChromium: async () => {
      unpacks.push(NPM_BUILD);
      return npmPackage ? NPM_BUILD : undefined;
    },
  };
  return { probes, unpacks };
}

const GOOGLE_CHROME = '/usr/bin/google-chrome';
const MAC_CHROME = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';

describe('findChromium', () => {
  it('takes CHROMIUM_PATH first, even with a system Chromium and the npm package at hand', async () => {
    const { probes, unpacks } = machine({
      env: { CHROMIUM_PATH: '/opt/chrome/chrome' },
      executables: ['/opt/chrome/chrome', '/usr/bin/chromium'],
    });

    expect(await findChromium(probes)).toEqual({ path: '/opt/chrome/chrome', source: 'CHROMIUM_PATH' });
    expect(unpacks).toEqual([]);
  });

  it('fails on a CHROMIUM_PATH that is not executable rather than testing another browser', async () => {
    const { probes } = machine({
      env: { CHROMIUM_PATH: '/nowhere/chrome' },
      executables: ['/usr/bin/chromium'],
    });

    const failure = findChromium(probes);
    await expect(failure).rejects.toThrow(ChromiumNotFoundError);
    await expect(failure).rejects.toThrow(/CHROMIUM_PATH=\/nowhere\/chrome is not an executable file/);
  });

  it('takes an installed Chromium or Chrome next, in the order of the usual places', async () => {
    const { probes, unpacks } = machine({ executables: [GOOGLE_CHROME, '/snap/bin/chromium'] });

    expect(await findChromium(probes)).toEqual({ path: GOOGLE_CHROME, source: 'system' });
    expect(unpacks).toEqual([]);
  });

  it("looks at macOS's application folders on a Mac", async () => {
    const { probes } = machine({ platform: 'darwin', arch: 'arm64', executables: [MAC_CHROME] });

    expect(await findChromium(probes)).toEqual({ path: MAC_CHROME, source: 'system' });
  });

  it('falls back to the npm package on Linux x64 when the system has none', async () => {
    const { probes, unpacks } = machine({});

    expect(await findChromium(probes)).toEqual({ path: NPM_BUILD, source: '@sparticuz/chromium' });
    expect(unpacks).toEqual([NPM_BUILD]);
  });

  it('never unpacks the Linux x64 build on another platform or architecture', async () => {
    for (const [platform, arch] of [
      ['darwin', 'arm64'],
      ['linux', 'arm64'],
    ] as const) {
      const { probes, unpacks } = machine({ platform, arch });

      await expect(findChromium(probes)).rejects.toThrow(
        `@sparticuz/chromium ships Linux x64 only, this is ${platform} ${arch}`,
      );
      expect(unpacks).toEqual([]);
    }
  });

  it('fails with one message naming what it tried and how to get a browser', async () => {
    const { probes } = machine({ npmPackage: false });

    const failure = await findChromium(probes).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ChromiumNotFoundError);
    const message = (failure as Error).message;
    expect(message).toContain('CHROMIUM_PATH is unset');
    for (const place of SYSTEM_CHROMIUM_PATHS.linux ?? []) expect(message).toContain(place);
    expect(message).toContain('@sparticuz/chromium is not installed (run `npm ci`)');
    expect(message).toContain('Set CHROMIUM_PATH to a Chromium or Chrome executable');
  });
});
