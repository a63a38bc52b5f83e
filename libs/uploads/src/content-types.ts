/**
 * The type a file is recorded with. A client's `type` is a hint: browsers report "" for a file whose type
 * they cannot tell, application/octet-stream or a type with parameters (`video/mp4; codecs="avc1.42E01E"`,
 * RFC 9110 section 8.3.1), and systems disagree (video/avi and video/x-msvideo). The worker's probe
 * decides what is a video; only a type that is plainly not one is refused here.
 */

/** Video MIME types by file extension, for a file whose type the client did not give. */
const BY_EXTENSION: Record<string, string> = {
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  avi: 'video/x-msvideo',
  wmv: 'video/x-ms-wmv',
  flv: 'video/x-flv',
  mpg: 'video/mpeg',
  mpeg: 'video/mpeg',
  ts: 'video/mp2t',
  m2ts: 'video/mp2t',
  ogv: 'video/ogg',
  '3gp': 'video/3gpp',
  '3g2': 'video/3gpp2',
};

/** The type when nothing tells what the file is: the probe will. */
export const UNKNOWN_TYPE = 'application/octet-stream';

/** A MIME type's `type/subtype` (RFC 9110's token characters). */
const VIDEO_TYPE = /^video\/[a-z0-9!#$&^_.+-]+$/;

/**
 * The type to record for a file: the declared video type without its parameters, else the type its
 * filename's extension implies, else application/octet-stream. Null when the declared type is plainly
 * not a video (an image, a text, a PDF): neither empty, nor application/octet-stream, nor video/*.
 */
export function recordedContentType(declared: string | undefined, filename: string): string | null {
  const type = (declared ?? '').split(';')[0].trim().toLowerCase();
  if (VIDEO_TYPE.test(type)) return type;
  if (type !== '' && type !== UNKNOWN_TYPE) return null;
  const dot = filename.lastIndexOf('.');
  return (dot < 0 ? undefined : BY_EXTENSION[filename.slice(dot + 1).toLowerCase()]) ?? UNKNOWN_TYPE;
}
