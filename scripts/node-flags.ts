/**
 * Node flags the API and the worker run with, wherever they are started: `npm start` (start-all),
 * the end-to-end tests, the bench. package.json's start:api and start:worker, the Dockerfile's CMD
 * and docker-compose.yml's commands spell them out (NODE_OPTIONS refuses --heap-growing-percent).
 *
 * `--max-semi-space-size=8`: V8's young generation at 2 x 8 MiB instead of 2 x 16. Once used, its
 * pages stay resident, and the API's short-lived garbage (request objects, chunk buffers) touches them
 * all. Measured with npm run bench: about 18 MiB less resident memory at rest and at the peak of the
 * chunk route's run, with no change in the CPU of a progress poll or an init.
 *
 * `--heap-growing-percent=100`: after each full collection, V8 lets the old generation grow to twice
 * what survived before the next one. V8's own factor, chosen from its speed estimates, often fell to
 * 1.2-1.5 for the API (~45 MiB live): 9-25 MiB of slack. The memory of socket buffers counts toward
 * that limit, and a chunk upload allocates a 64 KiB buffer per socket read, so the API then ran a full
 * mark-compact every ~250 ms (`--trace-gc`: "allocation limit", "external memory pressure") and spent
 * 3-5 s of user CPU per GiB instead of 0.7-0.9. Measured with the API streaming 1 GiB to radosgw in
 * 64 MiB chunks, 24 uploads per setting: 7 of 24 in that state without the flag, none with it (a fixed
 * factor of 1.5 put 12 of 12 there). Median peak RSS of 12 uploads: 182 MiB without, 170 MiB with; the
 * highest peak seen with it was 203 MiB.
 */
export const APP_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--heap-growing-percent=100'];
