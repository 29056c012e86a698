// examples/private-key-jwt/generate-key.mjs: a new ES256 key pair for a private_key_jwt client.
// Writes the private JWK to the file named by its argument (default client-key.json, mode 0600)
// and prints the public JWK set, the one to register as the client's jwks.
//   node examples/private-key-jwt/generate-key.mjs client-key.json
import { writeFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';

const file = process.argv[2] ?? 'client-key.json';
const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
const publicJwk = await exportJWK(publicKey);
const kid = await calculateJwkThumbprint(publicJwk);
writeFileSync(file, JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: 'ES256' }), { mode: 0o600 });
console.log(JSON.stringify({ keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'sig' }] }));
