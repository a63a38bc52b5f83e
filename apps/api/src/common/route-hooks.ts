/**
 * Hooks on the routes that need them rather than on every route: Fastify runs an app-wide onSend hook for
 * every answer, the progress poll's included, and each costs it CPU (bench, same machine, 3-5 runs each: with
 * the tus and Uppy reason-phrase hooks app-wide, GET /health cost 68-84 CPU µs per request; on their routes
 * only, 46-65 µs).
 */
import type { FastifyInstance, onSendHookHandler, RouteOptions } from 'fastify';

/**
 * Adds `hook` to the onSend hooks of each route registered from now on that `match`es (Fastify's
 * `onRoute`: Nest registers its controllers' routes when the app starts listening, after this runs).
 * Answers that no route makes (the router's 404) do not get it.
 */
export function onSendOfRoutes(
  fastify: FastifyInstance,
  match: (route: Pick<RouteOptions, 'method' | 'url'>) => boolean,
  hook: onSendHookHandler,
): void {
  fastify.addHook('onRoute', (route) => {
    if (!match(route)) return;
    const existing = route.onSend === undefined ? [] : [route.onSend].flat();
    route.onSend = [...existing, hook];
  });
}
