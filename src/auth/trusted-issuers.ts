import { audienceOf, externalIssuerOf, issuerOf } from '../config';
import type { AppBindings } from '../lib/create-router';
import type { TrustedIssuers } from './access-tokens';
import { signingKeysOf } from './signing-keys';

/**
 * This service as an issuer: its URL, audience and keys. All the token
 * endpoint needs, so a mistake in the external provider's settings never stops
 * tokens from being issued.
 */
export async function ownIssuerOf(env: AppBindings): Promise<TrustedIssuers['own']> {
  const issuer = issuerOf(env);
  return { issuer, audience: audienceOf(env, issuer), keys: await signingKeysOf(env.SIGNING_KEYS!) };
}

/** Every issuer whose tokens the admin API accepts: this service, plus the external provider if any. */
export async function trustedIssuersOf(env: AppBindings): Promise<TrustedIssuers> {
  return { own: await ownIssuerOf(env), external: externalIssuerOf(env) };
}
