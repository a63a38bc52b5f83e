/**
 * The SDK in Node 20+: files read from disk as Blobs (streamed, never held whole), chunks sent with
 * node:http, sessions kept in a JSON state file so that running again resumes, and the server's live
 * events through the `eventsource` package.
 *
 *   const reelay = createReelay({ apiUrl, token, stateFile: '.reelay-uploads.json' });
 *   const result = await reelay.uploadBatch(await Promise.all(paths.map(fileFromPath)), { channelId: '123' });
 */
import { openAsBlob } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { EventSource } from 'eventsource';
import { fileRangeBlob, NodeTransport } from './node-transport.js';
import { nodeSha256, sourceAtPath } from './node-sha256.js';
import { Reelay, type ReelayOptions } from './reelay.js';
import type { ResumeRecord, ResumeStore, UploadSource } from './resume-store.js';

export * from './index.js';
export { NodeTransport, type NodeTransportOptions } from './node-transport.js';
export { nodeSha256 } from './node-sha256.js';

/** A file on disk as an UploadSource: its name, size, modification time, and slices read on demand. */
export async function fileFromPath(path: string, type = ''): Promise<UploadSource> {
  // stat first: its error names the file and says why (openAsBlob's does neither).
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a file`);
  const blob = await openAsBlob(path);
  return sourceAtPath(
    {
      name: basename(path),
      size: blob.size,
      type,
      lastModified: Math.floor(info.mtimeMs),
      slice: (start, end) =>
        fileRangeBlob(blob.slice(start, end), { path, start, fileSize: blob.size, mtimeMs: info.mtimeMs }),
    },
    path,
  );
}

/** Sessions in one JSON file, written whole through a temporary file (a crash never leaves half of it). */
export class FileResumeStore implements ResumeStore {
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  async get(key: string): Promise<ResumeRecord | null> {
    return (await this.read())[key] ?? null;
  }

  set(key: string, record: ResumeRecord): Promise<void> {
    return this.update((records) => {
      records[key] = record;
    });
  }

  delete(key: string): Promise<void> {
    return this.update((records) => {
      delete records[key];
    });
  }

  private async read(): Promise<Record<string, ResumeRecord>> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as Record<string, ResumeRecord>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }

  /** Changes are applied one after another, so that parallel files never lose each other's records. */
  private update(change: (records: Record<string, ResumeRecord>) => void): Promise<void> {
    this.writing = this.writing.then(async () => {
      const records = await this.read();
      change(records);
      await mkdir(dirname(this.path), { recursive: true });
      const temp = `${this.path}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify(records, null, 2));
      await rename(temp, this.path);
    });
    return this.writing;
  }
}

/** A Reelay with Node's transport and, with `stateFile`, sessions kept on disk for resume. */
export function createReelay(
  options: Omit<ReelayOptions, 'transport'> & Partial<Pick<ReelayOptions, 'transport'>> & { stateFile?: string },
): Reelay {
  const { stateFile, ...rest } = options;
  return new Reelay({
    transport: new NodeTransport(),
    resume: stateFile ? new FileResumeStore(stateFile) : undefined,
    sha256Hasher: nodeSha256,
    eventSource: EventSource,
    ...rest,
  });
}
