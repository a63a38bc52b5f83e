/**
 * Where a video's objects live in storage. Keys are made by the server from the video's id (the
 * fileId init announces), never from a filename.
 */
export const sourceKey = (fileId: string): string => `videos/${fileId}/source`;

/** The JPEG thumbnail, next to the source object; the same on every processing run. */
export const thumbnailKey = (videoId: string): string => `videos/${videoId}/thumbnail.jpg`;
