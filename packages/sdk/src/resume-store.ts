/**
 * Where the SDK keeps its upload sessions so that an interrupted upload resumes: a page reloaded, a
 * CLI run again. Keyed by a fingerprint of the file (name, size, last modified) and the channel; the
 * record holds the session, never the file's bytes. A session that expired or ended starts over.
 */
export interface ResumeRecord {
  uploadId: string;
  chunkSize: number;
  totalChunks: number;
  contentType: string;
  /** ISO 8601; the session's part URLs are no use after it. */
  urlsExpireAt: string;
}

export interface ResumeStore {
  get(key: string): Promise<ResumeRecord | null>;
  set(key: string, record: ResumeRecord): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Keeps nothing past the process: resume within one run only (e.g. after a network loss). */
export class MemoryResumeStore implements ResumeStore {
  private readonly records = new Map<string, ResumeRecord>();
  get(key: string): Promise<ResumeRecord | null> {
    return Promise.resolve(this.records.get(key) ?? null);
  }
  set(key: string, record: ResumeRecord): Promise<void> {
    this.records.set(key, record);
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.records.delete(key);
    return Promise.resolve();
  }
}

/** The members of the Web Storage API (`localStorage`) used here. */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A browser's localStorage (or sessionStorage), under keys starting with `reelay-upload:`. */
export class WebStorageResumeStore implements ResumeStore {
  constructor(private readonly storage: WebStorageLike) {}
  get(key: string): Promise<ResumeRecord | null> {
    const text = this.storage.getItem(`reelay-upload:${key}`);
    return Promise.resolve(text ? (JSON.parse(text) as ResumeRecord) : null);
  }
  set(key: string, record: ResumeRecord): Promise<void> {
    this.storage.setItem(`reelay-upload:${key}`, JSON.stringify(record));
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.storage.removeItem(`reelay-upload:${key}`);
    return Promise.resolve();
  }
}

/** What identifies a file across a reload: its name, size and last modification, and the channel. */
export function fingerprint(file: UploadSource, channelId: string): string {
  return `${channelId}:${file.name}:${file.size}:${file.lastModified}`;
}

/** A file to upload: a browser File, or what `fileFromPath` (Node) answers. */
export interface UploadSource {
  /** Shown to people and sent as the filename. */
  name: string;
  /** Bytes. */
  size: number;
  /** The media type the browser or the caller gives; "" when unknown (the API takes it). */
  type: string;
  /** Milliseconds since the epoch; part of the fingerprint that resume goes by. */
  lastModified: number;
  slice(start: number, end: number): Blob;
}
