// examples/private-key-jwt/get-token.mjs: an access token for a private_key_jwt client (RFC 7523).
// It signs a one-time assertion with the client's private key and sends it to /oauth/token;
// the key never leaves this process. Needs Node 20+ and jose (npm i jose).
//   BASE_URL          the service (default http://localhost:8787)
//   ISSUER            its ISSUER setting, if not BASE_URL: the assertion's aud is `${ISSUER}/oauth/token`
//   CLIENT_ID         the client's id
//   PRIVATE_JWK       the client's private JWK (JSON, with kid; alg, else ES256),
//   PRIVATE_JWK_FILE  or a file holding it (default client-key.json, as generate-key.mjs writes)
//   SCOPE             optional: space-separated scope labels
// CLIENT_ID=… node examples/private-key-jwt/get-token.mjs   prints the token response
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importJWK, SignJWT } from 'jose';

const BASE_URL = (process.env.BASE_URL ?? 'http://localhost:8787').replace(/\/+$/, '');
const ISSUER = (process.env.ISSUER ?? BASE_URL).replace(/\/+$/, '');
const CLIENT_ID = process.env.CLIENT_ID;
if (!CLIENT_ID) throw new Error('set CLIENT_ID');
const jwk = JSON.parse(process.env.PRIVATE_JWK ?? readFileSync(process.env.PRIVATE_JWK_FILE ?? 'client-key.json', 'utf8'));
const alg = jwk.alg ?? 'ES256';

// The assertion: from and about the client, for this token endpoint, used once, valid one minute.
const now = Math.floor(Date.now() / 1000);
const assertion = await new SignJWT({ jti: randomUUID() })
  .setProtectedHeader({ alg, kid: jwk.kid })
  .setIssuer(CLIENT_ID)
  .setSubject(CLIENT_ID)
  .setAudience(`${ISSUER}/oauth/token`)
  .setIssuedAt(now)
  .setExpirationTime(now + 60)
  .sign(await importJWK(jwk, alg));

const form = new URLSearchParams({
  grant_type: 'client_credentials',
  client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  client_assertion: assertion,
});
if (process.env.SCOPE) form.set('scope', process.env.SCOPE);
const res = await fetch(`${BASE_URL}/oauth/token`, { method: 'POST', body: form });
console.log(`${res.status} ${JSON.stringify(await res.json(), null, 2)}`);
if (!res.ok) process.exitCode = 1;
