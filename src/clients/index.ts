import { createRouter } from '../lib/create-router';
import * as handlers from './clients.handlers';
import * as routes from './clients.routes';

export const clientsRouter = createRouter()
  .openapi(routes.listClients, handlers.listClients)
  .openapi(routes.createClient, handlers.createClient)
  .openapi(routes.readClient, handlers.readClient)
  .openapi(routes.updateClient, handlers.updateClient)
  .openapi(routes.deleteClient, handlers.deleteClient)
  .openapi(routes.createSecret, handlers.createSecret)
  .openapi(routes.deleteSecret, handlers.deleteSecret)
  .openapi(routes.addScopeToClient, handlers.addScopeToClient)
  .openapi(routes.deleteScopeFromClient, handlers.deleteScopeFromClient)
  .openapi(routes.revokeClientTokens, handlers.revokeClientTokens);
