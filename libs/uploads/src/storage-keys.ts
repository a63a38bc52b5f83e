/**
 * Where a video's objects live in storage. Keys are made by the server from the video's id (the
 * fileId init announces), never from a filename.
 */
export const sourceKey = (fileId: string): string => `${SOURCE_KEY_PREFIX}${fileId}/source`;

/** Every key the product starts a multipart upload under begins with this. */
export const SOURCE_KEY_PREFIX = 'videos/';

/** The JPEG thumbnail, next to the source object; the same on every processing run. */
export const thumbnailKey = (videoId: string): string => `videos/${videoId}/thumbnail.jpg`;
