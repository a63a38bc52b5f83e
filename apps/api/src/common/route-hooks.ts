/**
 * Hooks on the routes that need them rather than on every route: Fastify runs an app-wide hook for every
 * request, the progress poll's included, and each costs it CPU (bench, same machine, 3-5 runs each: with
 * the tus and Uppy reason-phrase hooks app-wide, GET /health cost 68-84 CPU µs per request; on their routes
 * only, 46-65 µs).
 */
import type { FastifyInstance, onSendHookHandler, preParsingHookHandler, RouteOptions } from 'fastify';

type RouteHooks = { onSend: onSendHookHandler; preParsing: preParsingHookHandler };

/**
 * Adds `hook` to the `name` hooks of each route registered from now on that `match`es (Fastify's
 * `onRoute`: Nest registers its controllers' routes when the app starts listening, after this runs).
 * Answers that no route makes (the router's 404) do not get it.
 */
export function hookRoutes<Name extends keyof RouteHooks>(
  fastify: FastifyInstance,
  name: Name,
  match: (route: Pick<RouteOptions, 'method' | 'url'>) => boolean,
  hook: RouteHooks[Name],
): void {
  fastify.addHook('onRoute', (route) => {
    if (!match(route)) return;
    const existing = (route[name] === undefined ? [] : [route[name]].flat()) as Array<RouteHooks[Name]>;
    (route as Record<Name, Array<RouteHooks[Name]>>)[name] = [...existing, hook];
  });
}

/** Methods whose requests Fastify reads a body of (it never parses one for GET, HEAD or TRACE). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'QUERY']);

/** Whether a route takes a method with a body. */
export const takesBody = (route: Pick<RouteOptions, 'method'>) =>
  [route.method].flat().some((method) => BODY_METHODS.has(method));
