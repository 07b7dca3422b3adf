// The local server's demo login over HTTP: its response and the session cookie it sets.
export const ADA = { email: 'ada@example.com', password: 'passkeys-are-nice' };

export async function demoLogin(
  server: { readonly url: string },
  credentials = ADA,
): Promise<{ response: Response; cookie: string }> {
  const response = await fetch(`${server.url}/demo/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: server.url },
    body: JSON.stringify(credentials),
  });
  const setCookie = response.headers.getSetCookie()[0] ?? '';
  return { response, cookie: setCookie.split(';')[0] ?? '' };
}
