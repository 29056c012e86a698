/** An RFC 6749 §5.2 error of the token, revocation and introspection endpoints: `{"error", "error_description"}` with its status. */
export class OAuthError extends Error {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'unauthorized_client'
      | 'unsupported_grant_type'
      | 'invalid_scope'
      | 'temporarily_unavailable'
      | 'server_error'
      // RFC 7009 §2.2.1
      | 'unsupported_token_type'
      // RFC 6750 §3.1: introspection without auth:introspect
      | 'insufficient_scope',
    readonly description: string,
    readonly status: 400 | 401 | 403 | 413 | 429 | 500 | 503 = error === 'invalid_client' ? 401 : error === 'insufficient_scope' ? 403 : 400,
    /** Seconds, for a Retry-After header (a 503 that knows when to come back). */
    readonly retryAfter?: string,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}
