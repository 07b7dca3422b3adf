// `npm start`: the local server on http://127.0.0.1:3000 (PORT, HOST override). Settings come from
// the environment and from `.env` in the working directory (the environment wins); with none, dev
// mode makes what it needs under `.local/`. `--session=opaque` runs the opaque-session demo.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseEnv } from 'node:util';
import { DEMO_PASSWORD, DEMO_USERS } from './demo-sessions.ts';
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  ENDPOINT_PATH,
  type LocalServer,
  OUTCOME_PATH,
  startLocalServer,
} from './local-server.ts';
import { parseSessionMode } from './local-settings.ts';

function loadSettings(cwd: string): { env: Record<string, string | undefined>; dotEnv: string | undefined } {
  const path = join(cwd, '.env');
  if (!existsSync(path)) return { env: { ...process.env }, dotEnv: undefined };
  const fromFile = parseEnv(readFileSync(path, 'utf8'));
  return { env: { ...fromFile, ...process.env }, dotEnv: path };
}

function sessionModeArgument(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith('--session=')) return arg.slice('--session='.length);
    if (arg === '--session') return argv[i + 1];
  }
  return undefined;
}

function port(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PORT;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535)
    throw new Error(`PORT must be a port number, got "${value}"`);
  return parsed;
}

function describe(server: LocalServer, cwd: string, dotEnv: string | undefined): string {
  const { settings, devFiles, sdk, url } = server;
  const show = (path: string) => {
    const rel = relative(cwd, path);
    return rel.startsWith('..') ? path : rel;
  };
  const lines = [
    '',
    'OwnID passkey enrollment: local server',
    `  Demo site        ${url}/`,
    `  Endpoint         POST ${url}${ENDPOINT_PATH}  (the Lambda bundle dist/functions/generate-auth-token/index.mjs, one REST proxy event per request)`,
    `  Outcome route    POST ${url}${OUTCOME_PATH}  (the same bundle)`,
    `  Settings         ${dotEnv === undefined ? 'environment only (no .env)' : `environment + ${show(dotEnv)}`}`,
    `  Session source   ${settings.sessionSources.join('\n                   ')}`,
    `  Signing key      ${settings.devKey && devFiles !== undefined ? `dev OwnID key ${show(devFiles.ownidKeyPath)} (OwnID itself will not accept its tokens)` : settings.keySource}`,
    `  State store      ${settings.stateStore}`,
    `  Allowed origins  ${settings.allowedOrigins.join(', ')}`,
    `  OwnID SDK        ${sdk.sdkUrl === undefined ? 'offline stand-in (/demo/ownid-stand-in.js); set OWNID_APP_ID to load the real SDK' : `${sdk.sdkUrl} (app ${sdk.appId})`}`,
  ];
  if (devFiles !== undefined) {
    const made = devFiles.created.length > 0 ? `made now: ${devFiles.created.join(', ')}` : 'reused';
    lines.push(`  Dev files        ${show(devFiles.dir)}/ (${made}; delete the folder to start over)`);
  }
  if (settings.devSession !== undefined) {
    lines.push(
      `  Demo users       ${DEMO_USERS.map((user) => user.email).join(', ')}  password: ${DEMO_PASSWORD}`,
    );
  }
  lines.push(
    '  Demo pages and the function log below (one JSON line per request). Ctrl+C stops.',
    '',
    `Local server ready at ${url}`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const cwd = process.cwd();
  const { env, dotEnv } = loadSettings(cwd);
  const server = await startLocalServer({
    port: port(env.PORT),
    host: env.HOST?.trim() || DEFAULT_HOST,
    env,
    cwd,
    sessionMode: parseSessionMode(sessionModeArgument(process.argv.slice(2)) ?? env.DEMO_SESSION?.trim()),
  });
  console.log(describe(server, cwd, dotEnv));
  if (server.sdk.appId !== undefined && server.settings.devKey) {
    console.warn(
      'Warning: OWNID_APP_ID is set but tokens are signed with the dev key; set OWNID_PRIVATE_KEY_FILE to your OwnID key.',
    );
  }
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const hint =
    (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
      ? ' (another server uses this port: set PORT)'
      : '';
  console.error(`The local server did not start: ${message}${hint}`);
  process.exit(1);
});
