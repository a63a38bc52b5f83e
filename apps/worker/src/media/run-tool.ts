/**
 * Runs ffprobe or ffmpeg with a deadline and an abort signal, and collects its stdout up to a cap.
 * The tools read storage over HTTP, so a hung connection must not hang the job: the deadline kills it.
 */
import { spawn } from 'node:child_process';
import { MediaToolError } from './media.error.js';

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** stdout beyond this many bytes kills the tool: a thumbnail or a probe report is small. */
  maxStdoutBytes: number;
}

export interface ToolOutput {
  stdout: Buffer;
  stderr: string;
}

const STDERR_TAIL = 8 * 1024;

export function runTool(tool: string, args: string[], options: RunOptions): Promise<ToolOutput> {
  options.signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let failure: Error | undefined;
    const stop = (error: Error) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => stop(new MediaToolError(tool, `no result after ${options.timeoutMs} ms`, stderr)),
      options.timeoutMs,
    );
    const onAbort = () => stop(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > options.maxStdoutBytes)
        return stop(new MediaToolError(tool, `more than ${options.maxStdoutBytes} bytes of output`, stderr));
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      // ENOENT: the tool is not installed; a deployment problem, not the video's.
      failure ??= error.code === 'ENOENT' ? new MediaToolError(tool, `${tool} is not installed`, '') : error;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (failure) return reject(failure);
      if (code !== 0) return reject(new MediaToolError(tool, `exit ${code ?? signal}: ${lastLine(stderr)}`, stderr));
      resolve({ stdout: Buffer.concat(chunks), stderr });
    });
  });
}

/** The tool's last words, without the presigned URL it names (it may end up in a failure reason). */
export function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').replace(/\bhttps?:\/\/\S+/g, '<storage URL>');
}
