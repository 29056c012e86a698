import { SDK } from '@formance/formance-sdk';
import { HTTPClient } from '@formance/formance-sdk/lib/http.js';
import { SDKError } from '@formance/formance-sdk/sdk/models/errors/index.js';
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ADMIN_CREDENTIALS } from './helpers';

// The official SDK, unchanged, pointed at the worker's origin. Its requests
// (the client-credentials token fetch included) reach the worker through its
// HTTP client; nothing else is altered.
function formanceSdk() {
  const seen: string[] = [];
  const httpClient = new HTTPClient({
    fetcher: (request) => {
      const req = request instanceof Request ? request : new Request(request);
      seen.push(`${req.method} ${new URL(req.url).pathname}`);
      return exports.default.fetch(req);
    },
  });
  const sdk = new SDK({
    serverURL: 'https://registry.test',
    security: { clientID: ADMIN_CREDENTIALS.id, clientSecret: ADMIN_CREDENTIALS.secret },
    httpClient,
  });
  return { sdk, seen };
}

describe('@formance/formance-sdk 2.7.0 against the worker', () => {
  it('creates, reads, lists, updates a client, adds and deletes a secret, deletes the client', async () => {
    const { sdk, seen } = formanceSdk();

    const created = await sdk.auth.createClient({
      name: 'sdk client',
      description: 'made by the official SDK',
      redirectUris: ['https://app.example.com/callback'],
      trusted: true,
      metadata: { origin: 'sdk' },
    });
    expect(created.statusCode).toBe(201);
    const client = created.createClientResponse!.data!;
    expect(client).toMatchObject({
      name: 'sdk client',
      description: 'made by the official SDK',
      redirectUris: ['https://app.example.com/callback'],
      postLogoutRedirectUris: [],
      public: false,
      trusted: true,
      metadata: { origin: 'sdk' },
      scopes: [],
      secrets: [],
    });

    const read = await sdk.auth.readClient({ clientId: client.id });
    expect(read.readClientResponse!.data).toEqual(client);

    const listed = await sdk.auth.listClients();
    expect(listed.listClientsResponse!.data!.map((c) => c.id)).toContain(client.id);

    const updated = await sdk.auth.updateClient({
      clientId: client.id,
      updateClientRequest: { name: 'renamed by sdk', public: true },
    });
    expect(updated.updateClientResponse!.data).toMatchObject({ id: client.id, name: 'renamed by sdk', public: true, trusted: false });

    const secretResponse = await sdk.auth.createSecret({ clientId: client.id, createSecretRequest: { name: 'sdk secret' } });
    const secret = secretResponse.createSecretResponse!.data!;
    expect(secret).toMatchObject({ name: 'sdk secret', metadata: {} });
    expect(secret.clear).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secret.lastDigits).toBe(secret.clear.slice(-4));
    const withSecret = await sdk.auth.readClient({ clientId: client.id });
    expect(withSecret.readClientResponse!.data!.secrets).toEqual([
      { id: secret.id, name: 'sdk secret', lastDigits: secret.lastDigits, metadata: {} },
    ]);

    expect((await sdk.auth.deleteSecret({ clientId: client.id, secretId: secret.id })).statusCode).toBe(204);
    expect((await sdk.auth.deleteClient({ clientId: client.id })).statusCode).toBe(204);

    const gone = await sdk.auth.readClient({ clientId: client.id }).catch((error: unknown) => error);
    expect(gone).toBeInstanceOf(SDKError);
    expect((gone as SDKError).statusCode).toBe(404);
    expect(JSON.parse((gone as SDKError).body)).toEqual({ errorCode: 'NOT_FOUND', errorMessage: `client "${client.id}" not found` });

    // It spoke Formance's paths, and fetched its token from our token endpoint.
    expect(seen[0]).toBe('POST /api/auth/oauth/token');
    expect(seen).toContain(`GET /api/auth/clients/${client.id}`);
    expect(seen.filter((s) => s === 'POST /api/auth/oauth/token')).toHaveLength(1);
  });
});
