// private_key_jwt (RFC 7523 §2.2, §3): the JWT a client signs with its own key to authenticate.
// What an assertion says is checked before D1 is asked anything (cheap refusals, and nothing a
// caller sends reaches the database unread); its signature after, with the client's own keys.
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ASSERTION_ALGORITHMS, type AssertionAlgorithm } from '../clients/client-keys';
import { KeySetUnavailableError, QUIET_MS } from '../auth/remote-key-set';
import { OAuthError } from './oauth-error';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** How far ahead an assertion's exp may be: it is a one-time proof, not a credential to keep. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
export const ASSERTION_CLOCK_SKEW_SECONDS = 30;
export const MAX_ASSERTION_LENGTH = 8 * 1024;
const MAX_JTI_LENGTH = 256;
/** Headers that would let the assertion name its own keys: keys come only from the client's registration. */
const REFUSED_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'];
/** Unknown client and bad signature say the same: which ids exist is not for a caller to find out. */
export const UNKNOWN_CLIENT_OR_BAD_SIGNATURE = 'unknown client or bad assertion signature';

const invalid = (description: string) => new OAuthError('invalid_client', description);
/**
 * A value the caller sent, quoted for an error_description: single quotes, since RFC 6749 §5.2
 * allows no '"' there (JSON.stringify's quotes came out as '?', "kid ?k1?").
 */
const quoted = (value: unknown) => (value === undefined ? '(none)' : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`);

export interface InspectedAssertion {
  clientId: string;
  jti: string;
  /** Epoch seconds. */
  exp: number;
  kid: string;
  alg: AssertionAlgorithm;
}

function decoded(assertion: string) {
  if (assertion.length > MAX_ASSERTION_LENGTH) throw invalid(`client_assertion must be at most ${MAX_ASSERTION_LENGTH} characters`);
  try {
    return { header: decodeProtectedHeader(assertion), claims: decodeJwt(assertion) };
  } catch {
    throw invalid('client_assertion is not a signed JWT (JWS compact serialization)');
  }
}

/** The client an assertion is for: its `sub`, which must equal its `iss` (RFC 7523 §3). */
export const assertionClientId = (assertion: string): string => clientIdOf(decoded(assertion).claims);

function clientIdOf(claims: JWTPayload): string {
  if (typeof claims.sub !== 'string' || claims.sub === '') throw invalid('the assertion needs sub: the client id');
  if (claims.iss !== claims.sub) throw invalid('the assertion iss must equal its sub (both the client id)');
  return claims.sub;
}

const audiencesOf = (claims: JWTPayload) => (typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : []);

/**
 * Everything that can be judged without the client's keys: the header (an accepted alg, a kid, no
 * key of its own), who it is from, who it is for, when it is valid, and its jti.
 */
export function inspectAssertion(assertion: string, audiences: readonly string[], nowSeconds: number): InspectedAssertion {
  const { header, claims } = decoded(assertion);
  const alg = header.alg;
  if (!ASSERTION_ALGORITHMS.includes(alg as AssertionAlgorithm)) {
    throw invalid(`the assertion alg ${quoted(alg)} is not accepted: use one of ${ASSERTION_ALGORITHMS.join(', ')}`);
  }
  for (const name of REFUSED_HEADERS) {
    if (name in header) throw invalid(`the assertion header ${name} is not accepted: keys come only from the client's registration`);
  }
  if (typeof header.kid !== 'string' || header.kid === '') throw invalid('the assertion header needs a kid');
  const clientId = clientIdOf(claims);
  // One audience only: an assertion also naming another party could have been asked for by it
  // (the 2025 private_key_jwt audience-injection advisories; RFC 7523bis asks for a single value).
  const audience = audiencesOf(claims);
  if (audience.length !== 1) throw invalid('the assertion aud must be one value: this service\'s issuer or its token endpoint');
  if (!audience.some((aud) => audiences.includes(aud))) {
    throw invalid(`the assertion aud must be this service's issuer or its token endpoint (${audiences.join(', ')})`);
  }
  const { exp, iat, nbf, jti } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw invalid('the assertion needs exp');
  if (exp + ASSERTION_CLOCK_SKEW_SECONDS <= nowSeconds) throw invalid('the assertion has expired');
  if (exp > nowSeconds + MAX_ASSERTION_LIFETIME_SECONDS + ASSERTION_CLOCK_SKEW_SECONDS) {
    throw invalid(`the assertion exp must be at most ${MAX_ASSERTION_LIFETIME_SECONDS} seconds ahead`);
  }
  if (iat !== undefined && (typeof iat !== 'number' || iat > nowSeconds + ASSERTION_CLOCK_SKEW_SECONDS)) {
    throw invalid('the assertion iat is in the future');
  }
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds + ASSERTION_CLOCK_SKEW_SECONDS)) {
    throw invalid('the assertion is not valid yet (nbf)');
  }
  if (typeof jti !== 'string' || jti.length < 1 || jti.length > MAX_JTI_LENGTH) {
    throw invalid(`the assertion needs a jti of 1-${MAX_JTI_LENGTH} characters`);
  }
  return { clientId, jti, exp, kid: header.kid, alg: alg as AssertionAlgorithm };
}

/** The signature, with the client's keys; the claims again, by jose. Throws invalid_client, or 503 when keys are out of reach. */
export async function verifyAssertionSignature(assertion: string, inspected: InspectedAssertion, keys: JWTVerifyGetKey, audiences: readonly string[]) {
  const options = {
    algorithms: [...ASSERTION_ALGORITHMS],
    issuer: inspected.clientId,
    subject: inspected.clientId,
    audience: [...audiences],
    requiredClaims: ['exp', 'jti'],
    clockTolerance: ASSERTION_CLOCK_SKEW_SECONDS,
  };
  try {
    try {
      await jwtVerify(assertion, keys, options);
    } catch (error) {
      if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
      // Several published keys share the kid (a rotation reusing it): the one that verifies counts.
      // A published set holds at most 20 usable keys (client-keys.ts usableKeys): bounded work.
      for await (const key of error) {
        try {
          await jwtVerify(assertion, key, options);
          return;
        } catch {
          // the next one
        }
      }
      throw new errors.JWSSignatureVerificationFailed();
    }
  } catch (error) {
    if (error instanceof KeySetUnavailableError) {
      // A failed fetch is not retried for QUIET_MS: say when asking again can help (as the external IdP's 503 does).
      throw new OAuthError('temporarily_unavailable', `the client's keys could not be fetched: ${error.message}`, 503, String(QUIET_MS / 1000));
    }
    if (error instanceof errors.JWKSNoMatchingKey) {
      throw invalid(`no key of this client has kid ${quoted(inspected.kid)} for ${inspected.alg}`);
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) throw invalid(UNKNOWN_CLIENT_OR_BAD_SIGNATURE);
    if (error instanceof errors.JOSEError) throw invalid(`the assertion could not be verified (${error.code})`);
    // A key that passes the rules yet is none (jose's TypeError for a short RSA modulus, WebCrypto's
    // DataError or OperationError for a point off its curve): the client's key, not our fault.
    if (error instanceof TypeError || error instanceof DOMException) {
      throw invalid(`the client's key ${quoted(inspected.kid)} is not a usable ${inspected.alg} public key`);
    }
    throw error;
  }
}
