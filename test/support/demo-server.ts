// The local server on an ephemeral port with its own .local/ folder, and one Chromium, for the demo's
// browser tests: started before the file's tests, closed after. The function's log lines are kept.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type LocalServer, startLocalServer } from '../../dev/local-server.ts';
import { launchChromium } from './browser.ts';

export interface DemoServer {
  readonly server: LocalServer;
  readonly browser: Browser;
  /** The function's stdout, a line each, as the local server saw it. */
  readonly functionLog: string[];
}

/** Registers the file's beforeAll/afterAll; read the fields inside tests, once beforeAll has run. */
export function useDemoServer(tempPrefix: string): DemoServer {
  const demo = { functionLog: [] as string[] } as { -readonly [K in keyof DemoServer]: DemoServer[K] };
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), tempPrefix));
    demo.server = await startLocalServer({
      port: 0,
      env: { PATH: process.env.PATH },
      devDir: join(dir, '.local'),
      onFunctionLog: (line) => demo.functionLog.push(line),
    });
    demo.browser = await launchChromium();
  });
  afterAll(async () => {
    await demo.browser?.close();
    await demo.server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return demo;
}
