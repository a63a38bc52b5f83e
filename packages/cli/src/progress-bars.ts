/**
 * What the CLI shows while it uploads, on stderr so that stdout keeps only the summary (or the JSON):
 * one cli-progress bar per file (percent, bytes, speed, time left, state) on a terminal; one line per
 * change of a file's state when stderr is a file or a pipe.
 */
import cliProgress from 'cli-progress';
import type { BatchProgress, FileState, UploadSource } from '../../sdk/src/node.js';
import { duration, size } from './units.js';

export class ProgressBars {
  private readonly multi?: cliProgress.MultiBar;
  private readonly bars: cliProgress.SingleBar[] = [];
  private readonly states: FileState[];

  constructor(private readonly files: UploadSource[]) {
    this.states = files.map(() => 'queued');
    if (!process.stderr.isTTY) return;
    this.multi = new cliProgress.MultiBar(
      {
        stream: process.stderr,
        // Payload names of their own: cli-progress fills {total}, {eta} and {value} itself, in raw units.
        format: ' {file} |{bar}| {percentage}% {sent} of {size}  {rate}  {left}  {state}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    const width = Math.max(...files.map((f) => f.name.length));
    for (const f of files) {
      this.bars.push(
        this.multi.create(Math.max(1, f.size), 0, {
          file: f.name.padEnd(width),
          sent: size(0),
          size: size(f.size),
          rate: '',
          left: '',
          state: 'queued',
        }),
      );
    }
  }

  update(progress: BatchProgress): void {
    for (const f of progress.files) {
      if (!this.multi && f.state !== this.states[f.index])
        process.stderr.write(`${this.files[f.index].name}: ${f.state}\n`);
      this.states[f.index] = f.state;
      this.bars[f.index]?.update(f.bytesSent, {
        sent: size(f.bytesSent),
        rate: f.bytesPerSecond > 0 && f.bytesSent < f.size ? `${size(f.bytesPerSecond)}/s` : '',
        left: f.secondsLeft === null ? '' : `${duration(f.secondsLeft)} left`,
        state: f.state,
      });
    }
  }

  stop(): void {
    this.multi?.stop();
  }
}
