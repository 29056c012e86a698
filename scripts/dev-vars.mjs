// A fresh .dev.vars for `wrangler dev`, shared by `npm run dev` (scripts/dev.mjs) and
// `npm run bench` (bench/server.mjs): a new ES256 signing key as a JWK set, its kid the
// key's JWK thumbprint (RFC 7638), and a random secret for the static admin client.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';

/** The file's text, `comment` as its first line, and the admin credentials it holds. */
export async function generateDevVars({ comment, adminClientId = 'admin' }) {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const signingKeys = JSON.stringify({ keys: [{ ...jwk, kid: await calculateJwkThumbprint(jwk) }] });
  const adminClientSecret = randomBytes(32).toString('base64url');
  const text = [
    `# ${comment}`,
    `SIGNING_KEYS='${signingKeys}'`,
    `ADMIN_CLIENT_ID=${adminClientId}`,
    `ADMIN_CLIENT_SECRET=${adminClientSecret}`,
    '',
  ].join('\n');
  return { text, adminClientId, adminClientSecret };
}

/** Writes a fresh file to `path`, readable by its owner only (it holds a private key). */
export async function writeDevVars(path, options) {
  const devVars = await generateDevVars(options);
  writeFileSync(path, devVars.text, { mode: 0o600 });
  return devVars;
}
