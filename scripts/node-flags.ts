/**
 * Node flags the API and the worker run with, wherever they are started: `npm start` (start-all),
 * the end-to-end tests, the bench; the Dockerfile sets the same through NODE_OPTIONS and
 * package.json's start:api and start:worker spell them out.
 *
 * `--max-semi-space-size=8`: V8's young generation at 2 x 8 MiB instead of 2 x 16. Once used, its
 * pages stay resident, and the API's short-lived garbage (request objects, chunk buffers) touches them
 * all. Measured with npm run bench: about 18 MiB less resident memory at rest and at the peak of the
 * chunk route's run, with no change in the CPU of a progress poll or an init.
 */
export const APP_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
