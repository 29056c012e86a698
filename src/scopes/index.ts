import { createRouter } from '../lib/create-router';
import * as handlers from './scopes.handlers';
import * as routes from './scopes.routes';

export const scopesRouter = createRouter()
  .openapi(routes.listScopes, handlers.listScopes)
  .openapi(routes.createScope, handlers.createScope)
  .openapi(routes.readScope, handlers.readScope)
  .openapi(routes.updateScope, handlers.updateScope)
  .openapi(routes.deleteScope, handlers.deleteScope)
  .openapi(routes.addTransientScope, handlers.addTransientScope)
  .openapi(routes.deleteTransientScope, handlers.deleteTransientScope);
