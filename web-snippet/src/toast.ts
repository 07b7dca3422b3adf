// The built-in success toast. It lives in a shadow root so that the page's CSS and ours cannot
// meet; `:host{all:initial!important}` also beats page rules aimed at the host element itself.
// Kept terse: every byte counts against the snippet's gzip budget.
const CSS =
  ':host{all:initial!important}' +
  'div{position:fixed;z-index:2147483647;left:0;right:0;bottom:24px;margin:auto;width:max-content;' +
  'max-width:90vw;display:flex;align-items:center;gap:8px;padding:12px 16px;' +
  'border-radius:8px;background:#fff;color:#222;font:14px system-ui;' +
  'box-shadow:0 4px 16px #0003;animation:i .2s}' +
  '@keyframes i{from{opacity:0}}' +
  '@media(prefers-reduced-motion:reduce){div{animation:none}}';

// A green disc with a white check mark.
const CHECK_ICON =
  '<svg width=20 height=20 viewBox="0 0 20 20" aria-hidden=true><circle cx=10 cy=10 r=10 fill=#1a7f37 />' +
  '<path d="m6 10 3 3 5-6" fill=none stroke=#fff stroke-width=2 /></svg>';

let shown: Element | undefined;

export function showToast(message: string, durationMs: number): void {
  shown?.remove();
  const host = document.createElement('ownid-enroll-toast');
  shown = host;
  host.dataset.ownidEnrollToast = '';
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<div role=status aria-live=polite>${CHECK_ICON}<span></span></div>`;
  const text = root.querySelector('span') as HTMLElement;
  // A constructed sheet is not blocked by a CSP without style-src 'unsafe-inline'. Where it is
  // unsupported (Safari < 16.4) this throws before anything is shown: no toast rather than an unstyled one.
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  root.adoptedStyleSheets = [sheet];
  // The body exists by now (a request and OwnID's dialog came first); if not, the caller swallows the throw.
  document.body.append(host);
  // Screen readers announce changes to a live region that already exists, so the text comes a moment
  // later (during the fade-in).
  setTimeout(() => {
    text.textContent = message;
  }, 100);
  setTimeout(() => host.remove(), durationMs);
}
