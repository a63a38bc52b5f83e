/**
 * Turns ffprobe's JSON report into the Video's metadata, and decides whether the file is a video at
 * all: a container with a real picture stream (not just cover art) and a duration. Pure functions.
 */
import type { VideoMetadata } from '#videos';
import { VideoRejectedError } from './media.error.js';

/** The part of `ffprobe -print_format json -show_format -show_streams` this code reads. */
export interface ProbeReport {
  streams?: ProbeStream[];
  format?: {
    format_name?: string;
    duration?: string;
    bit_rate?: string;
    tags?: Record<string, string>;
  };
}

export interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: Array<{ rotation?: number }>;
}

export interface InspectedVideo {
  metadata: VideoMetadata;
  /** Stream the thumbnail is taken from. */
  videoStreamIndex: number;
}

/** Where the thumbnail is taken: this far into the video, past a fade-in or a black first frame. */
export const THUMBNAIL_POSITION = 0.1;

export function inspectProbe(report: ProbeReport, size: number): InspectedVideo {
  const streams = report.streams ?? [];
  // Cover art in an audio file is a video stream too, marked attached_pic: it is not a video.
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  if (!video)
    throw new VideoRejectedError(
      'the file has no video stream' + (streams.some((s) => s.codec_type === 'audio') ? ' (it is audio only)' : ''),
    );
  const { width, height } = displaySize(video);
  if (!width || !height) throw new VideoRejectedError('the video stream has no picture size');
  const duration = positive(report.format?.duration) ?? positive(video.duration);
  if (!duration) throw new VideoRejectedError('the video has no duration (a single picture is not a video)');
  const audio = streams.find((s) => s.codec_type === 'audio');
  const bitrate = positive(report.format?.bit_rate) ?? Math.round((size * 8) / duration);
  return {
    metadata: {
      durationSeconds: duration,
      width,
      height,
      videoCodec: video.codec_name ?? 'unknown',
      audioCodec: audio?.codec_name ?? null,
      bitrate: Math.round(bitrate),
      container: containerName(report.format?.format_name ?? 'unknown', report.format?.tags?.major_brand),
    },
    videoStreamIndex: video.index,
  };
}

/** Upright size: a phone video recorded sideways is stored landscape with a 90 degree rotation. */
export function displaySize(stream: ProbeStream): { width: number; height: number } {
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  const rotation =
    stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ?? Number(stream.tags?.rotate ?? 0);
  return Math.abs(rotation) % 180 === 90 ? { width: height, height: width } : { width, height };
}

/**
 * A name people know. ffprobe names demuxers, not files: every MP4 and MOV is
 * "mov,mp4,m4a,3gp,3g2,mj2", told apart by the file's major brand.
 */
export function containerName(formatName: string, majorBrand?: string): string {
  const names = formatName.split(',');
  if (!names.includes('mp4')) return names[0];
  const brand = majorBrand?.trim().toLowerCase() ?? '';
  if (brand === 'qt') return 'mov';
  if (brand.startsWith('3g2')) return '3g2';
  if (brand.startsWith('3gp')) return '3gp';
  return 'mp4';
}

export function thumbnailTime(durationSeconds: number): number {
  return durationSeconds * THUMBNAIL_POSITION;
}

function positive(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}
