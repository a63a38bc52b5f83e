/** Reads a video with its processing state, and signs a short-lived URL for its thumbnail. */
import { Injectable } from '@nestjs/common';
import { ObjectStorage } from '#storage';
import { UploadSessionRepository, type Video } from '#videos';
import { UploadError, UploadErrorCode } from '#uploads';
import type { VideoDetailsDto } from './dto/video-details.dto.js';
import { toVideoDto } from './dto/video.dto.js';

/** Long enough to render a page, short enough that a leaked URL soon stops working. */
const THUMBNAIL_URL_TTL_SECONDS = 15 * 60;

@Injectable()
export class VideosService {
  constructor(
    private readonly repository: UploadSessionRepository,
    private readonly storage: ObjectStorage,
  ) {}

  /** The caller's video; another user's is as unknown as one that never existed (404). */
  async get(videoId: string, ownerId: string): Promise<VideoDetailsDto> {
    const video = await this.repository.findVideo(videoId);
    if (!video || video.ownerId !== ownerId)
      throw new UploadError(UploadErrorCode.VideoNotFound, `Video ${videoId} not found`, { videoId });
    const thumbnail = video.thumbnailKey ? await this.signThumbnail(video.thumbnailKey) : null;
    return toDto(video, thumbnail);
  }

  private async signThumbnail(key: string): Promise<{ url: string; expiresAt: string }> {
    const expiresAt = new Date(Date.now() + THUMBNAIL_URL_TTL_SECONDS * 1000).toISOString();
    return { url: await this.storage.presignGet(key, THUMBNAIL_URL_TTL_SECONDS), expiresAt };
  }
}

function toDto(v: Video, thumbnail: { url: string; expiresAt: string } | null): VideoDetailsDto {
  return {
    ...toVideoDto(v),
    failureReason: v.failureReason,
    durationSeconds: v.durationSeconds,
    width: v.width,
    height: v.height,
    videoCodec: v.videoCodec,
    audioCodec: v.audioCodec,
    bitrate: v.bitrate,
    container: v.container,
    sha256: v.sha256,
    thumbnailUrl: thumbnail?.url ?? null,
    thumbnailUrlExpiresAt: thumbnail?.expiresAt ?? null,
    processingStartedAt: v.processingStartedAt?.toISOString() ?? null,
    processedAt: v.processedAt?.toISOString() ?? null,
  };
}
