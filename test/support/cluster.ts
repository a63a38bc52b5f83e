/**
 * Several API instances and several workers on one PostgreSQL database, one Redis and one bucket, as a
 * deployment scaled out behind a load balancer: built on startStack (which starts the first API), with
 * the processes a test may kill -9 and replace. Also what every multi-process test checks at the end:
 * the multipart uploads left in the bucket and how many times each video was made ready.
 */
import type { ChildProcess } from 'node:child_process';
import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '#storage';
import { startStack, type Stack, type StackOptions } from './stack.js';

export interface ApiNode {
  name: string;
  url: string;
  process: ChildProcess;
  /** Set when the test killed it: a request to it that failed is the test's doing. */
  killedAt?: number;
}

export interface WorkerNode {
  name: string;
  process: ChildProcess;
  killedAt?: number;
}

export interface ClusterOptions extends StackOptions {
  apis: number;
  workers: number;
  /** Settings of the workers only (LOG_LEVEL=log by default: the `video <id> ready` lines are counted). */
  workerEnv?: Record<string, string>;
}

export class Cluster {
  readonly apis: ApiNode[] = [];
  readonly workers: WorkerNode[] = [];
  private readonly s3: S3Client;

  private constructor(
    readonly stack: Stack,
    private readonly workerEnv: Record<string, string>,
  ) {
    this.s3 = createS3Client({
      endpoint: process.env.S3_ENDPOINT,
      region: stack.env.S3_REGION,
      accessKeyId: stack.env.S3_ACCESS_KEY_ID,
      secretAccessKey: stack.env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: true,
    });
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const stack = await startStack(options);
    const cluster = new Cluster(stack, { LOG_LEVEL: 'log', ...options.workerEnv });
    cluster.apis.push({ name: 'api-1', url: stack.url, process: stack.apiProcess });
    await Promise.all([
      ...Array.from({ length: options.apis - 1 }, () => cluster.addApi()),
      ...Array.from({ length: options.workers }, () => cluster.addWorker()),
    ]);
    return cluster;
  }

  liveApis(): ApiNode[] {
    return this.apis.filter((a) => a.killedAt === undefined);
  }

  liveWorkers(): WorkerNode[] {
    return this.workers.filter((w) => w.killedAt === undefined);
  }

  async addApi(env: Record<string, string> = {}): Promise<ApiNode> {
    const { url, process } = await this.stack.startApi(env);
    const node = { name: `api-${this.apis.length + 1}`, url, process };
    this.apis.push(node);
    return node;
  }

  async addWorker(env: Record<string, string> = {}): Promise<WorkerNode> {
    const process = await this.stack.startWorker({ ...this.workerEnv, ...env });
    const node = { name: `worker-${this.workers.length + 1}`, process };
    this.workers.push(node);
    return node;
  }

  /** SIGKILL: no shutdown hook runs, connections drop, locks stay until they expire. */
  async kill(node: ApiNode | WorkerNode): Promise<void> {
    node.killedAt = Date.now();
    node.process.kill('SIGKILL');
    await exited(node.process);
  }

  /** SIGTERM: what an orchestrator does on a rolling update; a worker hands its jobs back. */
  async stopGracefully(node: ApiNode | WorkerNode): Promise<void> {
    node.killedAt = Date.now();
    node.process.kill('SIGTERM');
    await exited(node.process);
  }

  /** Multipart uploads still open in the bucket (every key: the product's and any other). */
  async openMultipartUploads(): Promise<string[]> {
    const found: string[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.s3.send(
        new ListMultipartUploadsCommand({
          Bucket: this.stack.env.S3_BUCKET,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      for (const u of page.Uploads ?? []) found.push(`${u.Key} ${u.UploadId}`);
      if (!page.IsTruncated) return found;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  /** How many times a worker (any of them, killed ones included) logged the video as made ready. */
  readyRuns(videoId: string): number {
    return this.stack.logs().split(`video ${videoId} ready`).length - 1;
  }

  async stop(): Promise<void> {
    await this.stack.stop();
    this.s3.destroy();
  }
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
