// Starting and stopping the stand-in HTTP servers on 127.0.0.1.
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens on a free port of 127.0.0.1; `close` ends the responses held open in `hanging` (a stand-in
 * told to hang) and every kept-alive connection, so the test run never waits for them.
 */
export async function listenOnLoopback(
  server: Server,
  hanging: Set<ServerResponse>,
): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
