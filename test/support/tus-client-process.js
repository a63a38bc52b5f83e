// A tus-js-client upload in a process of its own, as a Node program would run it, so that a test can kill
// the client mid-upload and start a new one. Settings come from the environment (TUS_*); it prints one
// JSON line per event: each request's method and Upload-Offset, progress, then success or error.
import { createReadStream } from 'node:fs';
import process from 'node:process';
import { FileUrlStorage, Upload } from 'tus-js-client';

const env = process.env;
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

const upload = new Upload(createReadStream(env.TUS_FILE), {
  endpoint: env.TUS_ENDPOINT,
  headers: { Authorization: `Bearer ${env.TUS_TOKEN}` },
  metadata: JSON.parse(env.TUS_METADATA),
  // tus-js-client takes an explicit undefined chunkSize as NaN: leave the option out for its default.
  ...(env.TUS_CHUNK_SIZE ? { chunkSize: Number(env.TUS_CHUNK_SIZE) } : {}),
  urlStorage: new FileUrlStorage(env.TUS_URL_STORAGE),
  storeFingerprintForResuming: true,
  removeFingerprintOnSuccess: true,
  retryDelays: [0, 200, 500],
  onBeforeRequest: (req) =>
    say({ event: 'request', method: req.getMethod(), offset: req.getHeader('Upload-Offset') ?? null }),
  onUploadUrlAvailable: () => say({ event: 'url', url: upload.url }),
  onProgress: (bytes, total) => say({ event: 'progress', bytes, total }),
  onSuccess: () => say({ event: 'success', url: upload.url }),
  onError: (error) => {
    say({ event: 'error', message: String(error) });
    process.exitCode = 1;
  },
});

const previous = await upload.findPreviousUploads();
if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
say({ event: 'start', resuming: previous.length > 0 });
upload.start();
