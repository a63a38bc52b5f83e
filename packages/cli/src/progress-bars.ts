/**
 * One cli-progress bar per file: percent, bytes, speed, time left and state. Drawn on stderr, so that
 * stdout keeps only the summary (or the JSON) for scripts; nothing is drawn when stderr is not a terminal.
 */
import cliProgress from 'cli-progress';
import type { BatchProgress, UploadSource } from '../../sdk/src/node.js';
import { duration, size } from './units.js';

export class ProgressBars {
  private readonly multi: cliProgress.MultiBar;
  private readonly bars: cliProgress.SingleBar[];

  constructor(files: UploadSource[]) {
    this.multi = new cliProgress.MultiBar(
      {
        stream: process.stderr,
        format: ' {name} |{bar}| {percentage}% {sent}/{total} {speed} {eta} {state}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    const width = Math.max(...files.map((f) => f.name.length));
    this.bars = files.map((f) =>
      this.multi.create(f.size, 0, {
        name: f.name.padEnd(width),
        sent: size(0),
        total: size(f.size),
        speed: '',
        eta: '',
        state: 'queued',
      }),
    );
  }

  update(progress: BatchProgress): void {
    for (const f of progress.files) {
      this.bars[f.index].update(f.bytesSent, {
        sent: size(f.bytesSent),
        speed: f.bytesPerSecond > 0 ? `${size(f.bytesPerSecond)}/s` : '',
        eta: f.secondsLeft === null ? '' : `${duration(f.secondsLeft)} left`,
        state: f.state,
      });
    }
  }

  stop(): void {
    this.multi.stop();
  }
}
