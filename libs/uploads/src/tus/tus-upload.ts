/** What the tus routes answer about one upload (HEAD, and the headers of creation and PATCH). */
import type { UploadSession } from '#videos';

export interface TusUpload {
  uploadId: string;
  /** Upload-Length: the file's size in bytes. */
  length: number;
  /** Upload-Offset: bytes held durably; the length once the upload is completed. */
  offset: number;
  /** Upload-Metadata as the creation sent it. */
  metadata: string;
  /** Upload-Expires: when the session expires; null once completed (it never will). */
  expiresAt: Date | null;
  /** The last byte arrived: the Video row exists and its processing is queued. */
  completed: boolean;
}

export type TusSession = UploadSession & { tusOffset: number; tusMetadata: string };

export function tusUpload(session: TusSession, offset = session.tusOffset): TusUpload {
  const completed = session.state === 'completed';
  return {
    uploadId: session.id,
    length: session.size,
    offset: completed ? session.size : offset,
    metadata: session.tusMetadata,
    expiresAt: completed ? null : session.expiresAt,
    completed,
  };
}
