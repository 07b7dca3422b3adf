// Child processes of the bench: plain-JS builds of the bench's own entry points (so a cold start
// pays no TypeScript loader), servers that announce `READY <url>`, and RSS queries over IPC.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
/** Under node_modules so that the compiled files resolve the project's packages as the sources do. */
export const childBuildDir = join(projectRoot, 'node_modules/.cache/ownid-bench');

/**
 * Compiles a bench entry to one .mjs: its own .ts imports inlined, npm packages left as imports
 * (the peer loads express & co. from node_modules, as a plain Node deployment would).
 */
export async function compileChild(entry: string, name: string): Promise<string> {
  mkdirSync(childBuildDir, { recursive: true });
  const outfile = join(childBuildDir, `${name}.mjs`);
  await build({
    entryPoints: [join(projectRoot, entry)],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node24',
    logLevel: 'warning',
  });
  return outfile;
}

export interface ServerChild {
  readonly url: string;
  readonly process: ChildProcess;
  /** Resident set size of the child (its worker threads included). */
  rss(): Promise<{ rss: number; functionLogLines?: number }>;
  close(): Promise<void>;
}

/** Starts a server process and waits for its `READY <url>` line. */
export function startServerChild(
  args: readonly string[],
  env: Record<string, string | undefined>,
  timeoutMs = 30_000,
): Promise<ServerChild> {
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not start in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    let buffered = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const match = /READY (\S+)[^\n]*\n/.exec(buffered);
      if (match === null) return;
      buffered = '';
      clearTimeout(timer);
      resolve({
        url: match[1] as string,
        process: child,
        rss: () =>
          new Promise((resolveRss) => {
            const onMessage = (message: { type?: string; rss: number; functionLogLines?: number }) => {
              if (message.type !== 'rss') return;
              child.off('message', onMessage);
              resolveRss(message);
            };
            child.on('message', onMessage);
            child.send({ type: 'rss' });
          }),
        close: async () => {
          if (child.exitCode === null) {
            child.send({ type: 'close' });
            const forced = setTimeout(() => child.kill('SIGKILL'), 5000);
            await exited;
            clearTimeout(forced);
          }
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited (${code}) before it was ready: ${stderr}`));
    });
  });
}
