/**
 * The CLI (`npm run reelay -- upload ...`, packages/cli) as a user runs it, against the real API and
 * worker on both drivers: results and exit codes, waiting for processing, the summary table, bad usage,
 * and a run killed (SIGKILL) mid-upload then run again, which resumes: same upload, only the missing
 * chunks sent, the stored bytes those of the source.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, randomFile, sha256, sha256OfStream } from './support/files.js';
import { makeVideo } from './support/media.js';
import { DRIVERS, MiB, startStack, type Stack } from './support/stack.js';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface JsonSummary {
  ok: boolean;
  files: Array<{
    file: string;
    status: string;
    uploadId: string;
    videoId: string;
    resumedChunks: number;
    video: { width: number; height: number } | null;
    error: string | null;
  }>;
}

describe.each(DRIVERS)('the CLI on the %s driver', (driver) => {
  let stack: Stack;
  let dir: string;
  let clip: Buffer;
  const big = randomFile(23 * MiB);

  beforeAll(async () => {
    stack = await startStack({ driver, worker: true });
    dir = await mkdtemp(join(tmpdir(), 'reelay-cli-'));
    clip = await makeVideo({ seconds: 1, width: 160, height: 120, fps: 10, audio: false });
    await writeFile(join(dir, 'clip.mp4'), clip);
    await writeFile(join(dir, 'big.bin'), big);
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function start(args: string[], env: Record<string, string> = {}) {
    const child = spawn(
      process.execPath,
      ['dist/packages/cli/src/main.js', 'upload', '--api', stack.url, '--channel', 'c1', ...args],
      { env: { ...process.env, REELAY_TOKEN: stack.api.token, ...env }, cwd: process.cwd() },
    );
    const run: CliRun = { code: null, stdout: '', stderr: '' };
    child.stdout.on('data', (d: Buffer) => (run.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (run.stderr += d.toString()));
    const done = new Promise<CliRun>((resolve) => child.once('close', (code) => resolve({ ...run, code })));
    return { child, run, done };
  }
  const cli = (args: string[], env: Record<string, string> = {}) => start(args, env).done;

  /** The upload a CLI run keeps in `state`, once storage holds at least one of its chunks. */
  async function storingUpload(state: string): Promise<string> {
    const uploadId = await eventually(
      async () => {
        const kept = await readFile(state, 'utf8').catch(() => '{}');
        return Object.values(JSON.parse(kept) as Record<string, { uploadId: string }>)[0]?.uploadId;
      },
      (id) => id !== undefined,
      10_000,
    );
    expect(uploadId).toBeDefined();
    const stored = await eventually(
      async () => (await stack.api.progress(uploadId)).body.data?.completedCount ?? 0,
      (n) => n >= 1,
      15_000,
    );
    expect(stored).toBeGreaterThanOrEqual(1);
    return uploadId;
  }

  async function storedSha(videoId: string): Promise<string> {
    const { rows } = await stack.db.query<{ storage_key: string }>('SELECT storage_key FROM videos WHERE id = $1', [
      videoId,
    ]);
    return sha256OfStream(await stack.storage.readRange(rows[0].storage_key, 0));
  }

  it('uploads, waits for processing, and exits 0 only when every video is ready', async () => {
    const state = join(dir, `state-a-${driver}.json`);
    const ready = await cli(['--json', '--wait', '--state', state, join(dir, 'clip.mp4')]);
    expect(ready.code).toBe(0);
    const summary = JSON.parse(ready.stdout) as JsonSummary;
    expect(summary).toMatchObject({ ok: true, files: [{ file: 'clip.mp4', status: 'ready', error: null }] });
    expect(summary.files[0].video).toMatchObject({ width: 160, height: 120 });
    expect(await storedSha(summary.files[0].videoId)).toBe(sha256(clip));

    const mixed = await cli(['--json', '--wait', '--state', state, join(dir, 'clip.mp4'), join(dir, 'big.bin')]);
    expect(mixed.code).toBe(1);
    const files = (JSON.parse(mixed.stdout) as JsonSummary).files;
    expect(files.map((f) => f.status)).toEqual(['ready', 'failed']);
    expect(files[1].error).toMatch(/\w/); // random bytes are not a video: the processing's reason
    expect(await storedSha(files[1].videoId)).toBe(sha256(big));
  });

  it('prints a summary table for people, taking paths from where `npm run` was called (INIT_CWD)', async () => {
    const run = await cli(['--state', `state-b-${driver}.json`, 'clip.mp4'], { INIT_CWD: dir });
    expect(run.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, `state-b-${driver}.json`), 'utf8'))).toEqual({});
    expect(run.stdout).toMatch(/^file\s+size\s+status\s+video/);
    expect(run.stdout).toMatch(/clip\.mp4\s+\S+ KiB\s+completed\s+[0-9a-f-]{36}/);
  });

  it('refuses bad usage with exit code 2 and says why', async () => {
    const missing = await cli(['--json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no file to upload[\s\S]*usage: reelay upload/);
    const noFile = await cli([join(dir, 'nowhere.mp4')]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/ENOENT/);
  });

  it('resumes when run again after being killed mid-upload, sending only what is missing', async () => {
    const state = join(dir, `state-c-${driver}.json`);
    // 2 MiB/s, one chunk at a time: the first 5 MiB part is stored after about 2.5 s, the file needs 12.
    const first = start(['--json', '--state', state, '--concurrency', '1', '--max-rate', '2M', join(dir, 'big.bin')]);
    const uploadId = await storingUpload(state);
    first.child.kill('SIGKILL');
    expect((await first.done).code).toBeNull();

    const again = await cli(['--json', '--state', state, join(dir, 'big.bin')]);
    expect(again.code).toBe(0);
    const [file] = (JSON.parse(again.stdout) as JsonSummary).files;
    expect(file).toMatchObject({ status: 'completed', uploadId });
    expect(file.resumedChunks).toBeGreaterThanOrEqual(1);
    expect(file.resumedChunks).toBeLessThan(5);
    expect(await storedSha(file.videoId)).toBe(sha256(big));
    expect(JSON.parse(await readFile(state, 'utf8'))).toEqual({});
  }, 40_000);

  it('stops on Ctrl-C with exit code 130, keeping the upload, and resumes it when run again', async () => {
    const state = join(dir, `state-d-${driver}.json`);
    const first = start(['--json', '--state', state, '--concurrency', '1', '--max-rate', '2M', join(dir, 'big.bin')]);
    const uploadId = await storingUpload(state);
    first.child.kill('SIGINT');
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    expect((JSON.parse(stopped.stdout) as JsonSummary).files[0]).toMatchObject({ status: 'paused', uploadId });
    expect((await stack.api.progress(uploadId)).status).toBe(200); // still open on the server

    const again = await cli(['--json', '--state', state, join(dir, 'big.bin')]);
    expect(again.code).toBe(0);
    const [file] = (JSON.parse(again.stdout) as JsonSummary).files;
    expect(file).toMatchObject({ status: 'completed', uploadId });
    expect(await storedSha(file.videoId)).toBe(sha256(big));
  }, 40_000);
});
