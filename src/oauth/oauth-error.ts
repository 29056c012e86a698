/** An RFC 6749 §5.2 error of the token endpoint: `{"error", "error_description"}` with its status. */
export class OAuthError extends Error {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'unauthorized_client'
      | 'unsupported_grant_type'
      | 'invalid_scope'
      | 'temporarily_unavailable'
      | 'server_error',
    readonly description: string,
    readonly status: 400 | 401 | 413 | 429 | 500 | 503 = error === 'invalid_client' ? 401 : 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}
