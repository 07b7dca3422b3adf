// The local server (the `npm start` code path: dev/local-server.ts, the bundle in a worker thread,
// one REST proxy event per request) as its own process for the throughput run. Settings come from
// the environment the bench gives it; the per-IP rate limit is off, since the load comes from one
// address. Prints its URL, answers RSS and log-count queries over IPC.
import { startLocalServer } from '../../dev/local-server.ts';

let functionLogLines = 0;
const server = await startLocalServer({
  port: 0,
  host: '127.0.0.1',
  env: process.env,
  rateLimit: false,
  // The store-off path (a bench run would pass the per-user hourly limit at once).
  embeddedStateStore: false,
  onFunctionLog: () => {
    functionLogLines += 1;
  },
});
process.stdout.write(`READY ${server.url}\n`);

process.on('message', (message: { type?: string }) => {
  if (message.type === 'rss')
    process.send?.({ type: 'rss', rss: process.memoryUsage().rss, functionLogLines });
  if (message.type === 'close') server.close().then(() => process.exit(0));
});
