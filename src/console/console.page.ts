import type { Context } from 'hono';

/** Where the built assets are served (Workers static assets, scripts/build-console.mjs). */
const ASSETS = '/console/assets';

/**
 * Only this origin's script and style, no inline script or style, never
 * framed, forms post nowhere else, and no third-party request at all.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

// A fixed string, not server-side JSX: the page is the same for everyone, and
// hono/jsx's server renderer would add ~6 KiB gzipped to the API's bundle.
const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <link rel="icon" href="data:," />
    <title>Console · Edge OAuth2 client registry</title>
    <link rel="stylesheet" href="${ASSETS}/app.css" />
    <script type="module" src="${ASSETS}/app.js"></script>
  </head>
  <body>
    <div id="console">
      <noscript>The console needs JavaScript: it talks to the same JSON API as every other client.</noscript>
    </div>
  </body>
</html>
`;

/**
 * The console's one page. It renders nothing per user: the access token lives
 * in the browser (sessionStorage), and the browser code calls the public JSON
 * API with it, like any other client.
 */
export const consolePage = (c: Context) =>
  c.html(page, 200, {
    'Content-Security-Policy': CONSOLE_CSP,
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
  });
