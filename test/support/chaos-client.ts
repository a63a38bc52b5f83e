/**
 * A frontend that keeps going under faults: it sends each request of an upload to a random live API
 * instance, and on a dropped connection, a 5xx or an expired URL does what the README tells a client to
 * do (send again, ask /retry for fresh URLs, complete again). It counts every answer, and attributes
 * each 5xx and dropped connection: to the test (a request to an instance the test killed, a 502 for a
 * part the test made storage fail) or to the product (anything else, which the tests expect to be zero).
 */
import { request } from 'undici';
import type { ErrorBodyDto } from '../../apps/api/src/common/api-envelope.decorator.js';
import type { RetryUrlDto } from '../../apps/api/src/videos-batch/dto/retry-url.dto.js';
import type { UploadSessionDto } from '../../apps/api/src/videos-batch/dto/upload-session.dto.js';
import type { VideoDto } from '../../apps/api/src/videos/dto/video.dto.js';
import type { ApiNode, Cluster } from './cluster.js';
import { chunkOf } from './files.js';
import type { SourceFile } from './source-files.js';

const BATCH = '/api/v1/videos/batch';
/** Attempts of one step (a part, an init, a complete) before the client gives up. */
const ATTEMPTS = 8;
/** A request held by the test's proxy still ends: undici gives up on it after this long. */
const REQUEST_TIMEOUT_MS = 20_000;

export interface Answer<T = unknown> {
  status: number;
  data?: T;
  error?: ErrorBodyDto;
}

export interface Failure {
  what: string;
  /** `5xx` with its status and code, or `dropped` (connection reset, refused, timed out). */
  kind: string;
}

/** Everything the client saw, for the figures table and the "zero uncaused 5xx" assertion. */
export class Tally {
  requests = 0;
  retries = 0;
  readonly statuses = new Map<number, number>();
  /** Requests per API instance. */
  readonly perInstance = new Map<string, number>();
  readonly caused: Failure[] = [];
  readonly uncaused: Failure[] = [];
}

/** Decides whether a 5xx with a status was the test's doing (e.g. a part fault it injected). */
export type CauseOf5xx = (method: string, path: string, answer: Answer) => Promise<boolean>;

export interface Session {
  uploadId: string;
  totalChunks: number;
  chunkSize: number;
  urls: string[];
}

export interface Upload {
  file: SourceFile;
  uploadId: string;
  videoId: string;
}

export class ChaosClient {
  readonly tally = new Tally();
  /** Called as each request leaves, before its body: lets a test kill the instance it goes to. */
  onRequest?: (node: ApiNode, method: string, path: string) => void;

  constructor(
    private readonly cluster: Cluster,
    private readonly token: string,
    private readonly random: () => number,
    private readonly causedByTest: CauseOf5xx = () => Promise.resolve(false),
  ) {}

  pick(): ApiNode {
    const live = this.cluster.liveApis();
    return live[Math.floor(this.random() * live.length)];
  }

  async upload(file: SourceFile): Promise<Upload> {
    const session = await this.init(file);
    for (let i = 0; i < session.totalChunks; i++) await this.sendPart(session, file, i);
    return { file, uploadId: session.uploadId, videoId: await this.complete(session, file) };
  }

  async init(file: SourceFile, node?: ApiNode): Promise<Session> {
    const json = { channel_id: 'chaos', files: [{ filename: file.name, size: file.bytes.length, type: file.type }] };
    for (let attempt = 1; ; attempt++) {
      const answer = await this.send<UploadSessionDto[]>('POST', `${BATCH}/init`, { json }, node);
      const s = answer?.status === 201 ? answer.data?.[0] : undefined;
      if (s) return { uploadId: s.uploadId, totalChunks: s.totalChunks, chunkSize: s.chunkSize, urls: s.presignedUrls };
      this.giveUpUnlessRetryable(answer, attempt, `init of ${file.name}`);
      node = undefined;
    }
  }

  /** Stores chunk `index`, whichever way the file goes; answers once storage holds it. */
  async sendPart(session: Session, file: SourceFile, index: number, node?: ApiNode): Promise<void> {
    const body = chunkOf(file.bytes, session.chunkSize, index);
    for (let attempt = 1; ; attempt++) {
      if (file.via === 'api') {
        const path = `${BATCH}/chunk/${session.uploadId}/${index}`;
        const answer = await this.send('POST', path, { raw: body }, node);
        // A part resent after a complete that got through (the answer to the complete was lost).
        if (answer?.status === 200 || answer?.error?.code === 'UPLOAD_COMPLETED') return;
        this.giveUpUnlessRetryable(answer, attempt, `chunk ${index} of ${file.name}`);
      } else {
        const status = await this.put(session.urls[index], body);
        if (status === 200) return;
        // A URL that expired (403) needs a fresh one; storage failing (5xx) or a dropped PUT is sent again.
        const retryable = status === 403 || status === 0 || status >= 500;
        if (!retryable || attempt >= ATTEMPTS)
          throw new Error(`PUT of chunk ${index} of ${file.name} answered ${status} (attempt ${attempt})`);
        if (status === 403) await this.freshUrl(session, index);
        this.tally.retries++;
      }
      node = undefined;
    }
  }

  /** Completes the upload (sending what storage says is missing first); answers the video's id. */
  async complete(session: Session, file: SourceFile, node?: ApiNode): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const answer = await this.send<VideoDto>('POST', `${BATCH}/complete/${session.uploadId}`, {}, node);
      if (answer?.status === 200 && answer.data) return answer.data.videoId;
      if (answer?.error?.code === 'MISSING_PARTS' && attempt < ATTEMPTS) {
        const missing = (answer.error.details as { missingChunks?: number[] } | null)?.missingChunks ?? [];
        this.tally.retries++;
        for (const index of missing) await this.sendPart(session, file, index);
      } else {
        this.giveUpUnlessRetryable(answer, attempt, `complete of ${file.name}`);
      }
      node = undefined;
    }
  }

  /** One request to one instance (a random live one by default); null when the connection failed. */
  async send<T = unknown>(
    method: 'GET' | 'POST',
    path: string,
    body: { json?: unknown; raw?: Buffer },
    node: ApiNode = this.pick(),
  ): Promise<Answer<T> | null> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body.json !== undefined) headers['content-type'] = 'application/json';
    if (body.raw) headers['content-type'] = 'application/octet-stream';
    const what = `${node.name} ${method} ${path}`;
    this.tally.requests++;
    this.tally.perInstance.set(node.name, (this.tally.perInstance.get(node.name) ?? 0) + 1);
    this.onRequest?.(node, method, path);
    let answer: Answer<T>;
    try {
      const res = await request(node.url + path, {
        method,
        headers,
        body: body.raw ?? (body.json === undefined ? undefined : JSON.stringify(body.json)),
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
      });
      const text = await res.body.text();
      answer = { status: res.statusCode, ...parseEnvelope<T>(text) };
    } catch (error) {
      const failure = { what, kind: `dropped (${(error as { code?: string }).code ?? (error as Error).message})` };
      (node.killedAt === undefined ? this.tally.uncaused : this.tally.caused).push(failure);
      return null;
    }
    this.tally.statuses.set(answer.status, (this.tally.statuses.get(answer.status) ?? 0) + 1);
    if (answer.status >= 500) {
      const failure = { what, kind: `${answer.status} ${answer.error?.code ?? ''}`.trim() };
      const caused = node.killedAt !== undefined || (await this.causedByTest(method, path, answer));
      (caused ? this.tally.caused : this.tally.uncaused).push(failure);
    }
    return answer;
  }

  /** A PUT straight to storage; 0 when the connection failed. */
  private async put(url: string, body: Buffer): Promise<number> {
    try {
      const res = await request(url, { method: 'PUT', body, headersTimeout: REQUEST_TIMEOUT_MS });
      await res.body.text();
      return res.statusCode;
    } catch {
      return 0;
    }
  }

  /** Asks /retry for fresh URLs until it lists the chunk (it does once the old URL has expired). */
  private async freshUrl(session: Session, index: number): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const answer = await this.send<RetryUrlDto[]>('POST', `${BATCH}/retry/${session.uploadId}`, {});
      for (const fresh of answer?.status === 200 ? (answer.data ?? []) : []) session.urls[fresh.chunkIndex] = fresh.url;
      if (answer?.data?.some((u) => u.chunkIndex === index)) return;
      this.tally.retries++;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`/retry never listed chunk ${index} of upload ${session.uploadId}`);
  }

  /** A dropped connection or a 5xx is worth another try, elsewhere; anything else is a failed test. */
  private giveUpUnlessRetryable(answer: Answer | null, attempt: number, what: string): void {
    const retryable = answer === null || answer.status >= 500;
    if (!retryable || attempt >= ATTEMPTS)
      throw new Error(`${what} answered ${answer ? `${answer.status} ${JSON.stringify(answer.error)}` : 'nothing'}`);
    this.tally.retries++;
  }
}

function parseEnvelope<T>(text: string): Omit<Answer<T>, 'status'> {
  try {
    const body = JSON.parse(text) as { data?: T; error?: ErrorBodyDto };
    return { data: body.data, error: body.error };
  } catch {
    return { error: { code: 'NOT_JSON', message: text.slice(0, 200), details: null } };
  }
}
