// The peer as its own process (cold start, throughput): reads the PEM file once, seeds one
// logged-in session, listens on 127.0.0.1, and prints its URL. With BENCH_EXIT_AFTER_FIRST=1 it
// exits after its first response (cold start runs). Compiled to plain JS by the bench before use.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createPeerApp, storeLoggedInSession } from './app.ts';

const { PEER_PEM_FILE, PEER_SESSION_SECRET, PEER_SESSION_ID, PEER_EMAIL, BENCH_EXIT_AFTER_FIRST } =
  process.env;
if (!PEER_PEM_FILE || !PEER_SESSION_SECRET || !PEER_SESSION_ID || !PEER_EMAIL) {
  throw new Error('PEER_PEM_FILE, PEER_SESSION_SECRET, PEER_SESSION_ID and PEER_EMAIL are required');
}
const pem = readFileSync(PEER_PEM_FILE, 'utf8');
const { app, store } = createPeerApp({ pem, sessionSecret: PEER_SESSION_SECRET });
await storeLoggedInSession(store, PEER_SESSION_ID, PEER_EMAIL);

const server = createServer(app);
if (BENCH_EXIT_AFTER_FIRST === '1')
  server.on('request', (_req, res) => res.once('finish', () => process.exit(0)));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  // Time since the process's origin: boot, module loading and setup up to listening.
  process.stdout.write(`READY http://127.0.0.1:${port} ${performance.now().toFixed(2)}\n`);
});

process.on('message', (message: { type?: string }) => {
  if (message.type === 'rss') process.send?.({ type: 'rss', rss: process.memoryUsage().rss });
  if (message.type === 'close') server.close(() => process.exit(0));
});
