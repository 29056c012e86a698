import type { Context } from 'hono';

// The API reference page: Scalar's standalone bundle from jsDelivr, pinned to one
// version with a Subresource Integrity hash, so the origin never runs a script
// it did not choose. The hash is that of dist/browser/standalone.js in the npm
// package (jsDelivr serves npm files as published); to move to another version:
//   npm pack @scalar/api-reference@X && tar xzf scalar-api-reference-X.tgz &&
//   echo "sha384-$(openssl dgst -sha384 -binary package/dist/browser/standalone.js | base64)"
export const SCALAR_VERSION = '1.76.0';
const SCALAR_BASE = `https://cdn.jsdelivr.net/npm/@scalar/api-reference@${SCALAR_VERSION}/dist/browser/`;
export const SCALAR_INTEGRITY = 'sha384-oH1C0RwqcwbVXkC+r8A+4qRoyEUQdtxAzOwumkxZtQBBcsy61FOoPt7B50OVJYYQ';

/** No inline script, only the pinned bundle; never framed; it talks to this origin only. */
export const DOCS_CSP = [
  "default-src 'none'",
  `script-src ${SCALAR_BASE}`,
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Edge OAuth2 client registry: API reference</title>
  </head>
  <body>
    <script id="api-reference" type="application/json" data-url="/openapi.json"></script>
    <script src="${SCALAR_BASE}standalone.js" integrity="${SCALAR_INTEGRITY}" crossorigin="anonymous"></script>
  </body>
</html>
`;

export const docsPage = (c: Context) =>
  c.html(page, 200, { 'Content-Security-Policy': DOCS_CSP, 'Cache-Control': 'public, max-age=300' });
