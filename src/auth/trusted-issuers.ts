import { audienceOf, externalIssuerOf, issuerOf } from '../config';
import type { AppBindings } from '../lib/create-router';
import type { TrustedIssuers } from './access-tokens';
import { signingKeysOf } from './signing-keys';

/** This service as an issuer (its URL, audience and keys), plus the external provider if any. */
export async function trustedIssuersOf(env: AppBindings, requestUrl: string): Promise<TrustedIssuers> {
  const issuer = issuerOf(env, requestUrl);
  return {
    own: { issuer, audience: audienceOf(env, issuer), keys: await signingKeysOf(env.SIGNING_KEYS!) },
    external: externalIssuerOf(env),
  };
}
