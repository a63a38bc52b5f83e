/**
 * Input options every ffprobe/ffmpeg run over a storage URL gets. The file is untrusted: without the
 * whitelists a "video" that is really an HLS playlist or a concat script could make ffmpeg read local
 * files or other URLs. Only plain HTTP(S) and real video containers are allowed.
 */

/**
 * ffmpeg demuxers of the containers whose MIME types the API accepts: mov (mp4, m4v, mov, 3gp),
 * matroska (mkv, webm), avi, asf (wmv), flv, mpeg (mpg), mpegts (ts, m2ts), ogg (ogv).
 */
export const VIDEO_DEMUXERS = ['mov', 'matroska', 'avi', 'asf', 'flv', 'mpeg', 'mpegts', 'ogg'] as const;

/** Seconds a storage read may stay silent before ffmpeg gives up (it is then retried). */
const IO_TIMEOUT_SECONDS = 30;

export function inputOptions(): string[] {
  return [
    '-protocol_whitelist',
    'http,https,tcp,tls',
    '-format_whitelist',
    VIDEO_DEMUXERS.join(','),
    '-rw_timeout',
    String(IO_TIMEOUT_SECONDS * 1_000_000),
  ];
}
