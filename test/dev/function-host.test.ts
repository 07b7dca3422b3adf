// The function host on its own, with a tiny stand-in bundle that misbehaves on request: after the
// function's thread dies (exit, unhandled rejection) or hangs past the timeout, the host logs it,
// fails what was in flight and starts a fresh thread, so the next invocation works again.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionHost, InvocationError, startFunction } from '../../dev/function-host.ts';

// Answers with its thread id, so a new cold start shows as a new id.
const BUNDLE = `
import { threadId } from 'node:worker_threads';
console.log('cold start ' + threadId);
export const handler = async (event) => {
  if (event.path === '/exit') process.exit(3);
  if (event.path === '/reject') {
    Promise.reject(new Error('boom'));
    return new Promise(() => {});
  }
  if (event.path === '/hang') for (;;) {}
  return { statusCode: 200, body: String(threadId) };
};
`;

let dir: string;
let bundlePath: string;
const hosts: FunctionHost[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ownid-function-host-'));
  bundlePath = join(dir, 'index.mjs');
  writeFileSync(bundlePath, BUNDLE);
});
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (path: string) => ({ path }) as APIGatewayProxyEvent;

async function start(options: { timeoutMs?: number; restartIntervalMs?: number } = {}) {
  const logs: string[] = [];
  const host = await startFunction({
    bundlePath,
    env: {},
    restartIntervalMs: 50,
    onLog: (line) => logs.push(line),
    ...options,
  });
  hosts.push(host);
  const thread = async () => ((await host.invoke(event('/'))) as { body: string }).body;
  return { host, logs, thread };
}

describe('startFunction', () => {
  it('restarts the function after it exits, failing the invocation in flight', async () => {
    const { host, logs, thread } = await start();
    const first = await thread();
    await expect(host.invoke(event('/exit'))).rejects.toEqual(new InvocationError('failed'));
    // Arrives while the new thread is still starting: waits for its cold start.
    const second = await thread();
    expect(second).not.toBe(first);
    expect(logs).toContain('the function exited (code 3); restarting');
    expect(logs.filter((line) => line.startsWith('cold start'))).toHaveLength(2);
    expect(await thread()).toBe(second);
  });

  it('restarts the function after an unhandled rejection, and names it', async () => {
    const { host, logs, thread } = await start();
    const first = await thread();
    await expect(host.invoke(event('/reject'))).rejects.toEqual(new InvocationError('failed'));
    expect(await thread()).not.toBe(first);
    expect(logs.find((line) => line.startsWith('the function exited'))).toMatch(
      /^the function exited \(code 1\); restarting \(uncaught Error: boom\)$/,
    );
  });

  it('ends a thread that does not answer in time and starts a fresh one', async () => {
    const { host, logs, thread } = await start({ timeoutMs: 200 });
    const first = await thread();
    await expect(host.invoke(event('/hang'))).rejects.toEqual(new InvocationError('timeout'));
    expect(logs).toContain('the function did not answer within 200 ms; restarting');
    expect(await thread()).not.toBe(first);
    expect(logs.filter((line) => line.startsWith('the function exited'))).toEqual([]);
  });

  it('starts at most one thread per restart interval', async () => {
    const { host, thread } = await start({ restartIntervalMs: 800 });
    const startedAt = Date.now();
    await expect(host.invoke(event('/exit'))).rejects.toBeInstanceOf(InvocationError);
    await thread();
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(600);
  });

  it('fails invocations after close', async () => {
    const { host } = await start();
    await host.close();
    await expect(host.invoke(event('/'))).rejects.toBeInstanceOf(InvocationError);
  });
});
