#!/usr/bin/env node
/**
 * reelay: upload videos from a terminal with the SDK.
 *
 *   npm run reelay -- upload --api http://localhost:3000 --token T --channel 123 a.mp4 b.mkv [--wait] [--json]
 *
 * One progress bar per file (speed, time left), a summary table at the end, resume when run again after
 * an interruption (sessions kept in --state, `.reelay-uploads.json` by default), `--json` for scripts.
 * Exit code: 0 when every file completed (and, with --wait, is `ready`); 1 when any failed; 2 for bad usage;
 * 130 when stopped by Ctrl-C (the uploads are kept: running again resumes them).
 *
 * Paths, and --state, are taken relative to the folder the command was typed in (npm run starts in the
 * repository's root, and says where it was called from in INIT_CWD).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createReelay, fileFromPath, NodeTransport, ReelayError } from '../../sdk/src/node.js';
import { ProgressBars } from './progress-bars.js';
import { summaryTable, toJson } from './summary.js';

const USAGE = `usage: reelay upload --api URL --token TOKEN --channel ID [options] FILE...

options:
  --api URL            the Reelay API's origin (or REELAY_API)
  --token TOKEN        a bearer token (or REELAY_TOKEN)
  --channel ID         the channel the videos go to
  --wait               wait until each video is processed (ready or failed)
  --json               print one JSON document with the results, no progress bars
  --state FILE         where sessions are kept for resume (default .reelay-uploads.json)
  --via MODE           presigned (default: straight to storage) or chunk-route (through the API)
  --concurrency N      chunks in flight at once (default 8)
  --max-rate BYTES     cap the upload rate, in bytes per second (suffixes K, M, G)
`;

function fail(message: string): never {
  process.stderr.write(`reelay: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** `12M` -> 12582912; plain digits are bytes. */
function bytes(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(text);
  if (!match) fail(`--max-rate ${text} is not a number of bytes per second`);
  const scale = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Math.floor(Number(match[1]) * scale);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      api: { type: 'string', default: process.env.REELAY_API },
      token: { type: 'string', default: process.env.REELAY_TOKEN },
      channel: { type: 'string' },
      wait: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      state: { type: 'string', default: '.reelay-uploads.json' },
      via: { type: 'string', default: 'presigned' },
      concurrency: { type: 'string', default: '8' },
      'max-rate': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...paths] = positionals;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command !== 'upload') fail(command ? `unknown command ${command}` : 'no command');
  if (!values.api || !values.token || !values.channel) fail('--api, --token and --channel are required');
  if (paths.length === 0) fail('no file to upload');
  if (values.via !== 'presigned' && values.via !== 'chunk-route') fail(`--via ${values.via} is not a mode`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) fail(`--concurrency ${values.concurrency} is not a count`);

  const here = process.env.INIT_CWD ?? process.cwd();
  const files = await Promise.all(paths.map((path) => fileFromPath(resolve(here, path)))).catch((error: Error) => {
    process.stderr.write(`reelay: cannot read a file to upload: ${error.message}\n`);
    process.exit(2);
  });
  const reelay = createReelay({
    apiUrl: values.api,
    token: values.token,
    stateFile: resolve(here, values.state),
    transport: new NodeTransport({ maxBytesPerSecond: values['max-rate'] ? bytes(values['max-rate']) : undefined }),
  });
  const bars = values.json ? null : new ProgressBars(files);
  const controller = new AbortController();
  // Ctrl-C stops the transfers but keeps the sessions: running again resumes them.
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    controller.abort(new Error('interrupted'));
  });
  try {
    const result = await reelay.uploadBatch(files, {
      channelId: values.channel,
      waitForProcessing: values.wait,
      via: values.via,
      concurrency,
      onProgress: (p) => bars?.update(p),
      signal: controller.signal,
      keepOnAbort: true,
    });
    bars?.stop();
    process.stdout.write(values.json ? `${JSON.stringify(toJson(result), null, 2)}\n` : summaryTable(result));
    if (interrupted) return 130;
    return result.ok ? 0 : 1;
  } catch (error) {
    bars?.stop();
    const message = error instanceof ReelayError ? `${error.code}: ${error.message}` : (error as Error).message;
    if (values.json) process.stdout.write(`${JSON.stringify({ ok: false, error: message })}\n`);
    else process.stderr.write(`reelay: ${message}\n`);
    return 1;
  }
}

process.exitCode = await main();
