// The demo site around the endpoint: a password login page, the "next page load" (/welcome) that
// runs the enrollment with the built web snippet, the demo's own login/session endpoints, the dev
// session issuer's JWKS and the offline OwnID stand-in. Every path is listed here: nothing is served
// from a directory, so `.local/` and the private keys cannot be reached.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import {
  checkCredentials,
  DEMO_USERS,
  type DevSessionIssuer,
  JWT_SESSION_COOKIE,
  OPAQUE_SESSION_COOKIE,
  type OpaqueSessionStore,
  SESSION_TTL_SECONDS,
  type SessionInfo,
} from './demo-sessions.ts';
import { jsonReply, type Reply, readBody, requestCookies } from './http-reply.ts';
import type { LocalSettings } from './local-settings.ts';

const SITE_DIR = join(import.meta.dirname, 'site');
const MAX_LOGIN_BODY_BYTES = 4 * 1024;

export interface OwnIdSdkSettings {
  /** OWNID_APP_ID: load the real OwnID web SDK instead of the offline stand-in. */
  readonly appId: string | undefined;
  /** The SDK script URL. @default `https://cdn.ownid.com/sdk/<OWNID_APP_ID>` (OWNID_SDK_URL overrides) */
  readonly sdkUrl: string | undefined;
}

export interface DemoSiteOptions {
  readonly settings: LocalSettings;
  readonly ownOrigins: readonly string[];
  readonly issuer: DevSessionIssuer | undefined;
  readonly opaqueSessions: OpaqueSessionStore;
  /** The OwnID public key (JWK) the stand-in verifies tokens with, when the key is a local file. */
  readonly ownIdPublicJwk: Record<string, string> | undefined;
  readonly snippetPath: string;
  readonly sdk: OwnIdSdkSettings;
  /**
   * DEMO_SESSION_SHARED_TOKEN: the session endpoint then also wants it in X-OwnID-Enrollment-Token (the
   * function sends the value of SESSION_INTROSPECTION_SECRET_ID there). @default - not checked
   */
  readonly sessionSharedToken?: string | undefined;
}

export type DemoRoute = (req: IncomingMessage, url: URL) => Promise<Reply | undefined>;

const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  '/demo/demo.css': { file: 'demo.css', type: 'text/css; charset=utf-8' },
  '/demo/login.js': { file: 'login.js', type: 'text/javascript; charset=utf-8' },
  '/demo/welcome.js': { file: 'welcome.js', type: 'text/javascript; charset=utf-8' },
  '/demo/policy-panel.js': { file: 'policy-panel.js', type: 'text/javascript; charset=utf-8' },
  '/demo/funnel-chart.js': { file: 'funnel-chart.js', type: 'text/javascript; charset=utf-8' },
  '/demo/ownid-stand-in.js': { file: 'ownid-stand-in.js', type: 'text/javascript; charset=utf-8' },
  '/demo/ownid-sdk-loader.js': { file: 'ownid-sdk-loader.js', type: 'text/javascript; charset=utf-8' },
};

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export function ownIdSdkSettings(env: Readonly<Record<string, string | undefined>>): OwnIdSdkSettings {
  const appId = env.OWNID_APP_ID?.trim() || undefined;
  if (appId === undefined) return { appId, sdkUrl: undefined };
  // Assumption (see docs/readme/local-server.md): the per-application SDK script lives at cdn.ownid.com/sdk/<appId>.
  const sdkUrl = env.OWNID_SDK_URL?.trim() || `https://cdn.ownid.com/sdk/${encodeURIComponent(appId)}`;
  return { appId, sdkUrl };
}

/** The demo pages' CSP: own scripts and styles only; the real OwnID SDK, when on, adds its origins. */
export function pageCsp(sdk: OwnIdSdkSettings): string {
  if (sdk.sdkUrl === undefined) {
    return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
  }
  const sdkOrigin = new URL(sdk.sdkUrl).origin;
  const ownid = 'https://*.ownid.com';
  // The SDK draws its own UI (styles, frames, calls to OwnID): a best guess, widen it if the browser console reports a block.
  return `default-src 'none'; script-src 'self' ${sdkOrigin} ${ownid}; style-src 'self' 'unsafe-inline' ${ownid}; img-src 'self' data: ${ownid}; font-src ${ownid}; connect-src 'self' ${ownid}; frame-src ${ownid}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;
}

function sharedTokenMatches(sent: string | string[] | undefined, expected: string | undefined): boolean {
  if (expected === undefined) return true;
  if (typeof sent !== 'string') return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(sent), digest(expected));
}

export type DemoSession = SessionInfo & { readonly kind: string; readonly cookie: string };

/** The demo session of a request (its cookie, checked the demo's way), or undefined. */
export function demoSessionReader(
  options: Pick<DemoSiteOptions, 'settings' | 'issuer' | 'opaqueSessions'>,
): (req: IncomingMessage) => Promise<DemoSession | undefined> {
  const { settings, issuer, opaqueSessions } = options;
  return async (req) => {
    const cookies = requestCookies(req);
    if (settings.devSession === 'jwt' && issuer !== undefined) {
      const token = cookies[JWT_SESSION_COOKIE];
      const session = token === undefined ? undefined : await issuer.read(token);
      return session && { ...session, kind: 'jwt', cookie: JWT_SESSION_COOKIE };
    }
    if (settings.devSession === 'opaque') {
      const session = opaqueSessions.get(cookies[OPAQUE_SESSION_COOKIE]);
      return session && { ...session, kind: 'opaque', cookie: OPAQUE_SESSION_COOKIE };
    }
    return undefined;
  };
}

export function createDemoSite(options: DemoSiteOptions): DemoRoute {
  const { settings, ownOrigins, issuer, opaqueSessions, sdk } = options;
  const pageHeaders = {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': pageCsp(sdk),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  const asset = (file: string) => readFileSync(join(SITE_DIR, file));

  function page(file: string): Reply {
    let html = asset(file).toString('utf8');
    const users = DEMO_USERS.map(
      (user) =>
        `<li><button type="button" class="user" data-email="${escapeHtml(user.email)}" data-password="${escapeHtml(user.password)}">` +
        `<code>${escapeHtml(user.email)}</code></button> <span class="note">${escapeHtml(user.note)}</span></li>`,
    ).join('');
    const sessionNote =
      settings.devSession === 'jwt'
        ? `The demo login sets an HttpOnly cookie <code>${JWT_SESSION_COOKIE}</code> holding a ${SESSION_TTL_SECONDS / 60}-minute JWT from the dev session issuer.`
        : settings.devSession === 'opaque'
          ? `Opaque-session demo: the login keeps a random id in the server's memory and sets the HttpOnly cookie <code>${OPAQUE_SESSION_COOKIE}</code>; the function asks <code>GET /demo/session</code> whose it is.`
          : 'The demo login is off: the endpoint uses the session settings you configured.';
    const sdkScripts =
      sdk.sdkUrl === undefined
        ? '<script src="/demo/ownid-stand-in.js"></script>'
        : `<script src="/demo/ownid-sdk-loader.js" data-app-id="${escapeHtml(sdk.appId ?? '')}" data-sdk-src="${escapeHtml(sdk.sdkUrl)}"></script>`;
    html = html
      .replaceAll('<!--DEMO_USERS-->', users)
      .replaceAll('<!--SESSION_NOTE-->', sessionNote)
      .replaceAll('<!--OWNID_SDK-->', sdkScripts)
      .replaceAll('{{SDK_KIND}}', sdk.sdkUrl === undefined ? 'stand-in' : 'ownid');
    return { status: 200, headers: pageHeaders, body: html };
  }

  // The demo's own state-changing requests come from its own pages only.
  const foreignOrigin = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    return origin !== undefined && !ownOrigins.includes(origin);
  };

  const currentSession = demoSessionReader(options);

  const expireCookie = (name: string) => `${name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;

  async function login(req: IncomingMessage): Promise<Reply> {
    if (settings.devSession === undefined) {
      return jsonReply(404, { message: 'The demo login is off: real session settings are configured.' });
    }
    if (foreignOrigin(req)) return jsonReply(403, { message: 'Forbidden' });
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return jsonReply(415, { message: 'Send the credentials as JSON' });
    }
    let credentials: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse((await readBody(req, MAX_LOGIN_BODY_BYTES)).toString('utf8'));
      credentials = parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch (error) {
      if (error instanceof Error && error.name === 'BodyTooLargeError')
        return jsonReply(413, { message: 'Payload Too Large' });
      return jsonReply(400, { message: 'The body is not JSON' });
    }
    const user = checkCredentials(credentials.email, credentials.password);
    if (user === undefined) return jsonReply(401, { message: 'Wrong email or password' });
    const attributes = `Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_SECONDS}`;
    let cookie: string;
    if (settings.devSession === 'opaque') {
      opaqueSessions.delete(requestCookies(req)[OPAQUE_SESSION_COOKIE]);
      cookie = `${OPAQUE_SESSION_COOKIE}=${opaqueSessions.create(user)}; ${attributes}`;
    } else {
      if (issuer === undefined) return jsonReply(500, { message: 'Internal Server Error' });
      cookie = `${JWT_SESSION_COOKIE}=${await issuer.issue(user)}; ${attributes}`;
    }
    return jsonReply(200, { email: user.email, next: '/welcome' }, { 'Set-Cookie': cookie });
  }

  function logout(req: IncomingMessage): Reply {
    if (foreignOrigin(req)) return jsonReply(403, { message: 'Forbidden' });
    opaqueSessions.delete(requestCookies(req)[OPAQUE_SESSION_COOKIE]);
    return {
      status: 204,
      headers: {
        'Cache-Control': 'no-store',
        'Set-Cookie': [expireCookie(JWT_SESSION_COOKIE), expireCookie(OPAQUE_SESSION_COOKIE)],
      },
    };
  }

  const methodNotAllowed = (allow: string) =>
    jsonReply(405, { message: 'Method Not Allowed' }, { Allow: allow });

  return async function route(req, url) {
    const method = req.method ?? 'GET';
    const readOnly = method === 'GET' || method === 'HEAD';
    const path = url.pathname;

    if (path === '/demo/login') return method === 'POST' ? login(req) : methodNotAllowed('POST');
    if (path === '/demo/logout') return method === 'POST' ? logout(req) : methodNotAllowed('POST');

    const known =
      path === '/' ||
      path === '/index.html' ||
      path === '/welcome' ||
      path === '/ownid-enroll.min.js' ||
      path === '/favicon.ico' ||
      path.startsWith('/demo/') ||
      path.startsWith('/dev-issuer/');
    if (!known) return undefined;
    if (!readOnly) return methodNotAllowed('GET, HEAD');

    if (path === '/' || path === '/index.html') return page('index.html');
    if (path === '/welcome') return page('welcome.html');
    if (path === '/favicon.ico') return { status: 204, headers: { 'Cache-Control': 'max-age=86400' } };

    const assetEntry = ASSETS[path];
    if (assetEntry !== undefined && Object.hasOwn(ASSETS, path)) {
      return {
        status: 200,
        headers: {
          'Content-Type': assetEntry.type,
          'Cache-Control': 'no-cache',
          'X-Content-Type-Options': 'nosniff',
        },
        body: asset(assetEntry.file),
      };
    }
    if (path === '/ownid-enroll.min.js') {
      try {
        return {
          status: 200,
          headers: {
            'Content-Type': 'text/javascript; charset=utf-8',
            'Cache-Control': 'no-cache',
            'X-Content-Type-Options': 'nosniff',
          },
          body: readFileSync(options.snippetPath),
        };
      } catch {
        return {
          status: 503,
          headers: { 'Content-Type': 'text/plain; charset=utf-8' },
          body: 'The web snippet is not built: run npm run build',
        };
      }
    }

    if (path === '/demo/me') {
      const session = await currentSession(req);
      return session === undefined
        ? jsonReply(401, { message: 'Unauthorized' })
        : jsonReply(200, {
            email: session.email,
            emailVerified: session.emailVerified,
            session: session.kind,
            cookie: session.cookie,
            expiresAt: new Date(session.expiresAt).toISOString(),
          });
    }
    if (path === '/demo/session' && settings.devSession === 'opaque') {
      // The site's session endpoint the function introspects: only the cookie decides (and the shared token, when set).
      if (!sharedTokenMatches(req.headers['x-ownid-enrollment-token'], options.sessionSharedToken)) {
        return jsonReply(403, { message: 'Forbidden' });
      }
      const session = opaqueSessions.get(requestCookies(req)[OPAQUE_SESSION_COOKIE]);
      return session === undefined
        ? jsonReply(401, { message: 'Unauthorized' })
        : jsonReply(200, { email: session.email, email_verified: session.emailVerified });
    }
    if (path === '/demo/config.json') {
      return jsonReply(200, {
        sdk: sdk.sdkUrl === undefined ? 'stand-in' : 'ownid',
        session: settings.devSession ?? 'configured',
        devKey: settings.devKey,
        token: settings.token,
      });
    }
    if (path === '/demo/ownid-public-key.json') {
      return options.ownIdPublicJwk === undefined
        ? jsonReply(404, {
            message: 'The signing key is in Secrets Manager: the stand-in cannot check signatures',
          })
        : jsonReply(200, options.ownIdPublicJwk);
    }
    if (issuer !== undefined && path === '/dev-issuer/jwks.json') {
      return jsonReply(200, issuer.jwks, { 'Cache-Control': 'public, max-age=300' });
    }
    if (issuer !== undefined && path === '/dev-issuer/.well-known/openid-configuration') {
      return jsonReply(200, {
        issuer: issuer.issuer,
        jwks_uri: `${issuer.issuer}/jwks.json`,
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    return jsonReply(404, { message: 'Not Found' });
  };
}
