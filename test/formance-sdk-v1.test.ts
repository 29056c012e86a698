import { exports } from 'cloudflare:workers';
import { SDK as SDK4 } from 'formance-sdk-v4';
import { HTTPClient as HTTPClient4 } from 'formance-sdk-v4/lib/http.js';
import { SDK as SDK7 } from 'formance-sdk-v7';
import { HTTPClient as HTTPClient7 } from 'formance-sdk-v7/lib/http.js';
import { describe, expect, it } from 'vitest';
import { ADMIN_CREDENTIALS } from './helpers';

// The official SDKs 4.x and 7.x (sdk.auth.v1.*), unchanged, pointed at the worker's
// origin; their requests, the client-credentials token fetch included, reach the
// worker through their HTTP client. Both send an empty JSON body when a
// request's options are omitted.

function through<T extends { new (options: { fetcher: (r: RequestInfo | URL) => Promise<Response> }): unknown }>(HTTPClient: T) {
  const seen: string[] = [];
  const httpClient = new HTTPClient({
    fetcher: async (request) => {
      const req = request instanceof Request ? request : new Request(request);
      const body = req.method === 'GET' ? '' : await req.clone().text();
      seen.push(`${req.method} ${new URL(req.url).pathname} ${body === '' ? '(empty)' : 'body'}`);
      return exports.default.fetch(req);
    },
  });
  return { httpClient: httpClient as InstanceType<T>, seen };
}

const security = { clientID: ADMIN_CREDENTIALS.id, clientSecret: ADMIN_CREDENTIALS.secret };

/** The operations both versions share; they differ only in the name of createSecret's options. */
function v1Surface(v1: any, seen: string[], secretOptionsKey: string) {
  return {
    seen,
    createClient: (options?: any) => v1.createClient(options),
    readClient: (clientId: string) => v1.readClient({ clientId }),
    listClients: () => v1.listClients(),
    updateClient: (clientId: string, options?: any) => v1.updateClient({ clientId, clientOptions: options }),
    createSecret: (clientId: string, options?: any) => v1.createSecret({ clientId, [secretOptionsKey]: options }),
    deleteSecret: (clientId: string, secretId: string) => v1.deleteSecret({ clientId, secretId }),
    deleteClient: (clientId: string) => v1.deleteClient({ clientId }),
  };
}

describe.each([
  {
    version: '4.6.1',
    make: () => {
      const { httpClient, seen } = through(HTTPClient4);
      return v1Surface(new SDK4({ serverURL: 'https://registry.test', security, httpClient }).auth.v1, seen, 'createSecretRequest');
    },
  },
  {
    version: '7.0.1',
    make: () => {
      const { httpClient, seen } = through(HTTPClient7);
      return v1Surface(new SDK7({ serverURL: 'https://registry.test', security, httpClient }).auth.v1, seen, 'secretOptions');
    },
  },
])('@formance/formance-sdk $version (sdk.auth.v1) against the worker', ({ make }) => {
  it('creates, reads, lists and updates a client, adds secrets with and without options, deletes them', async () => {
    const sdk = make();
    const created = await sdk.createClient({ name: 'sdk client', redirectUris: ['https://app.example.com/cb'], metadata: { origin: 'sdk' } });
    expect(created.statusCode).toBe(201);
    const client = created.createClientResponse!.data!;
    expect(client).toMatchObject({ name: 'sdk client', redirectUris: ['https://app.example.com/cb'], metadata: { origin: 'sdk' }, scopes: [] });
    expect((await sdk.readClient(client.id)).readClientResponse!.data).toEqual(client);
    expect((await sdk.listClients()).listClientsResponse!.data!.map((c: { id: string }) => c.id)).toContain(client.id);
    const updated = await sdk.updateClient(client.id, { name: 'renamed', description: 'by the SDK' });
    expect(updated.createClientResponse!.data).toMatchObject({ id: client.id, name: 'renamed', description: 'by the SDK' });

    const named = await sdk.createSecret(client.id, { name: 'named', metadata: { k: 'v' } });
    expect(named.createSecretResponse!.data).toMatchObject({ name: 'named', metadata: { k: 'v' }, clear: expect.any(String) });
    // No options: the SDK sends an empty JSON body, which means {}: a secret with an empty name, as Formance does.
    const unnamed = await sdk.createSecret(client.id);
    expect(unnamed.createSecretResponse!.data).toMatchObject({ name: '', metadata: {}, clear: expect.any(String) });
    expect(sdk.seen).toContain(`POST /api/auth/clients/${client.id}/secrets (empty)`);

    for (const secret of [named, unnamed]) {
      expect((await sdk.deleteSecret(client.id, secret.createSecretResponse!.data!.id)).statusCode).toBe(204);
    }
    expect((await sdk.deleteClient(client.id)).statusCode).toBe(204);
    expect(sdk.seen.some((line) => line.startsWith('POST /api/auth/oauth/token'))).toBe(true);
  });

  it('answers a create or update without options, an empty JSON body, with a 400 naming the field, never "Malformed JSON"', async () => {
    const sdk = make();
    const error = await sdk.createClient().then(
      () => null,
      (e: unknown) => e as { statusCode?: number; body?: string; rawResponse?: Response },
    );
    expect(sdk.seen).toContain('POST /api/auth/clients (empty)');
    expect(error?.statusCode ?? error?.rawResponse?.status).toBe(400);
    expect(JSON.stringify(error)).not.toContain('Malformed JSON');
  });
});
