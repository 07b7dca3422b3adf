// A package the way a user gets it: `npm pack`, then `npm install <tarball>` into a scratch app in a
// temp dir, offline (the packages have no dependencies a registry would have to supply).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const execFileAsync = promisify(execFile);

export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

export interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly PackedFile[];
}

// --ignore-scripts: prepack rebuilds dist/, which other test files read at the same time; the suite's
// `npm run build` has made it already.
async function npmPack(packageDir: string, extraArgs: readonly string[]): Promise<PackResult> {
  const { stdout } = await execFileAsync('npm', ['pack', '--json', '--ignore-scripts', ...extraArgs], {
    cwd: packageDir,
  });
  const [result] = JSON.parse(stdout) as PackResult[];
  if (result === undefined) throw new Error(`npm pack in ${packageDir} printed no result`);
  return result;
}

/** What `npm pack` would put in the tarball (`--dry-run`). */
export function packedContents(packageDir: string): Promise<PackResult> {
  return npmPack(packageDir, ['--dry-run']);
}

/** Packs `packageDir` into `destination`; returns the tarball's path. */
export async function packTarball(packageDir: string, destination: string): Promise<string> {
  const { filename } = await npmPack(packageDir, ['--pack-destination', destination]);
  return join(destination, filename);
}

/** A temp dir with a `package.json` of its own (ESM), as `npm init` would leave it. */
export function scratchApp(prefix: string, dependencies: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'scratch-app', version: '1.0.0', private: true, type: 'module', dependencies }),
  );
  return dir;
}

/** `npm install --offline <tarball>` in the app: fails if anything would have to come from a registry. */
export async function installOffline(appDir: string, tarball: string): Promise<void> {
  await execFileAsync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: appDir });
}
