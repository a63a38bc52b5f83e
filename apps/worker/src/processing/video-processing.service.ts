/**
 * The media work for one video: check the object, probe it over a short-lived presigned URL, store a
 * JPEG thumbnail next to it, and hash it. Throws VideoRejectedError when the file cannot become a
 * video (ChecksumMismatchError when it does not hash to the SHA-256 declared at init); any other error
 * is worth a retry. Every step can run again with the same result.
 */
import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '#config';
import { ObjectStorage } from '#storage';
import { thumbnailKey } from '#uploads';
import type { ProcessedVideo, Video } from '#videos';
import { probe, type ToolLimits } from '../media/ffprobe.js';
import { ChecksumMismatchError, VideoRejectedError } from '../media/media.error.js';
import { inspectProbe, thumbnailTime } from '../media/probe-report.js';
import { sha256Of } from '../media/sha256.js';
import { makeThumbnail } from '../media/thumbnail.js';

@Injectable()
export class VideoProcessingService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly storage: ObjectStorage,
  ) {}

  async process(video: Video, signal: AbortSignal): Promise<ProcessedVideo> {
    await this.checkObject(video);
    // A declared hash is checked first: bytes changed on their way are the failure to report, not
    // whatever the probe would make of them.
    const declared = video.declaredSha256 ? await this.checkDeclaredHash(video, video.declaredSha256, signal) : null;
    const limits: ToolLimits = { timeoutMs: this.config.worker.mediaTimeoutMs, signal };
    const { metadata, videoStreamIndex } = inspectProbe(await probe(await this.signedUrl(video), limits), video.size);
    const thumbnailKey = await this.storeThumbnail(
      video,
      { at: thumbnailTime(metadata.durationSeconds ?? 0), videoStreamIndex },
      limits,
    );
    const sha256 = declared ?? video.sha256 ?? (await this.hash(video, signal));
    return { ...metadata, thumbnailKey, sha256 };
  }

  private async checkObject(video: Video): Promise<void> {
    const head = await this.storage.head(video.storageKey);
    if (!head) throw new VideoRejectedError('the uploaded file is no longer in storage');
    if (head.size !== video.size)
      throw new VideoRejectedError(`the stored file has ${head.size} bytes, the upload announced ${video.size}`);
  }

  /** Lives as long as one tool run may take, plus a margin; a retry signs a fresh one. */
  private signedUrl(video: Video): Promise<string> {
    return this.storage.presignGet(video.storageKey, Math.ceil(this.config.worker.mediaTimeoutMs / 1000) + 60);
  }

  private async storeThumbnail(
    video: Video,
    frame: { at: number; videoStreamIndex: number },
    limits: ToolLimits,
  ): Promise<string> {
    const request = {
      atSeconds: frame.at,
      streamIndex: frame.videoStreamIndex,
      maxWidth: this.config.worker.thumbnailMaxWidth,
    };
    const thumbnail = await makeThumbnail(() => this.signedUrl(video), request, limits);
    if (!thumbnail) throw new VideoRejectedError('no frame of the video could be decoded');
    const key = thumbnailKey(video.id);
    await this.storage.putObject(key, Readable.from([thumbnail.jpeg]), thumbnail.jpeg.length, 'image/jpeg');
    return key;
  }

  /** The object's hash, when it is the one declared; ChecksumMismatchError otherwise. */
  private async checkDeclaredHash(video: Video, declared: string, signal: AbortSignal): Promise<string> {
    const actual = await this.hash(video, signal);
    if (actual !== declared) throw new ChecksumMismatchError(declared, actual);
    return actual;
  }

  private async hash(video: Video, signal: AbortSignal): Promise<string> {
    const { sha256, bytes } = await sha256Of(await this.storage.readRange(video.storageKey, 0), signal);
    if (bytes !== video.size) throw new Error(`read ${bytes} bytes of ${video.size} while hashing ${video.storageKey}`);
    return sha256;
  }
}
