// The peer: OwnID's documented approach (post-login enrollment guide, Step 2) as a minimal Express
// app. express-session with its default MemoryStore holds the logged-in user; the route reads the
// email from the session and signs with jsonwebtoken, the PEM read once and passed as a string.
// Nothing here is tuned: it is what a reader of the guide would write.
import express, { type Request, type Response } from 'express';
import session from 'express-session';
import jwt from 'jsonwebtoken';

declare module 'express-session' {
  interface SessionData {
    user?: { email: string };
  }
}

export const SESSION_COOKIE = 'connect.sid';

export interface PeerAppOptions {
  /** The OwnID private key, PEM text (read once from disk or the environment by the caller). */
  readonly pem: string;
  readonly sessionSecret: string;
}

/** The guide's token: `{ sub: email, iss: 'OwnID', aud: 'OwnID' }`, RS256, one minute. */
export function signOwnIdToken(email: string, pem: string): string {
  return jwt.sign({ sub: email, iss: 'OwnID', aud: 'OwnID' }, pem, { algorithm: 'RS256', expiresIn: 60 });
}

export function generateAuthTokenRoute(pem: string) {
  return (req: Request, res: Response) => {
    const email = req.session.user?.email;
    if (email === undefined) {
      res.status(401).json({ message: 'Unauthorized' });
      return;
    }
    res.json({ email, token: signOwnIdToken(email, pem) });
  };
}

export function createPeerApp(options: PeerAppOptions) {
  const store = new session.MemoryStore();
  const app = express();
  app.disable('x-powered-by');
  app.use(
    session({
      secret: options.sessionSecret,
      store,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.post('/generate-auth-token', generateAuthTokenRoute(options.pem));
  return { app, store };
}

/** A logged-in session, stored the way express-session stores one after `req.session.user = ...`. */
export function storeLoggedInSession(store: session.MemoryStore, sid: string, email: string): Promise<void> {
  const expires = new Date(Date.now() + 24 * 3600 * 1000);
  const data = {
    cookie: { originalMaxAge: 24 * 3600 * 1000, expires, httpOnly: true, path: '/', sameSite: 'lax' },
    user: { email },
  } as unknown as session.SessionData;
  return new Promise((resolve, reject) =>
    store.set(sid, data, (error) => (error ? reject(error) : resolve())),
  );
}

/** What express-session does per request once the cookie is unsigned: a store lookup. */
export function loadSession(
  store: session.MemoryStore,
  sid: string,
): Promise<session.SessionData | null | undefined> {
  return new Promise((resolve, reject) =>
    store.get(sid, (error, data) => (error ? reject(error) : resolve(data))),
  );
}
