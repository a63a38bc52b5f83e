/**
 * Loaded into the API with `node --import` when the bench profiles it: the V8 CPU profiler (what
 * `node --cpu-prof` runs), but started and stopped around one workload on command over the IPC
 * channel, so that each profile holds one phase (init, chunk uploads, polling) and no start-up.
 * Each stop writes a .cpuprofile (open it in Chrome DevTools) to BENCH_PROFILE_DIR.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

const dir = process.env.BENCH_PROFILE_DIR ?? 'profiles';
const session = new Session();
session.connect();
let count = 0;

async function handle(command: unknown): Promise<string> {
  if (command === 'start') {
    await session.post('Profiler.enable');
    // 0.5 ms sampling instead of the default 1 ms: short phases still get thousands of samples.
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
    return 'started';
  }
  if (command === 'stop') {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `api-${process.pid}-${++count}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  }
  throw new Error(`unknown command ${String(command)}`);
}

process.on('message', (message: { profiler?: unknown }) => {
  if (message?.profiler === undefined) return;
  handle(message.profiler).then(
    (profiler) => process.send?.({ profiler }),
    (error: Error) => process.send?.({ error: error.message }),
  );
});
// The channel must not keep the API alive after its shutdown hooks ran.
process.channel?.unref();
