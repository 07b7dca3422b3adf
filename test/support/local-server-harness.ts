// Starting the local server in-process for the tests under test/dev/: on a free port, with a temporary
// dev folder, the function's log lines collected; and requests to it, through fetch or written as is.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalServer, startLocalServer } from '../../dev/local-server.ts';

export const ENDPOINT = '/generate-auth-token';
export const baseEnv = { PATH: process.env.PATH };

const tempDirs: string[] = [];
/** A fresh temporary folder, removed by removeTempDirs (call it in afterAll). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ownid-dev-test-'));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface Started {
  server: LocalServer;
  logs: string[];
}

export async function start(options: Parameters<typeof startLocalServer>[0] = {}): Promise<Started> {
  const logs: string[] = [];
  const server = await startLocalServer({
    port: 0,
    env: baseEnv,
    rateLimit: false,
    onFunctionLog: (line) => logs.push(line),
    ...options,
  });
  return { server, logs };
}

export const post = (server: LocalServer, headers: Record<string, string> = {}, body?: string) =>
  fetch(`${server.url}${ENDPOINT}`, { method: 'POST', headers: { Origin: server.url, ...headers }, body });

/** One request written as is (fetch would normalize the request-target); the status and the body. */
export function rawRequest(
  server: LocalServer,
  requestLine: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body });
    });
    socket.write(`${requestLine}\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  });
}
