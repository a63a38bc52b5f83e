/**
 * Whether a batch is over: no file of it still uploading (each completed, aborted or expired) and one at
 * least completed. A small query of its own; the batch resource's ReadBatch answers the same state, and
 * may replace it.
 */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { BatchCompletedEvent } from './batch-event.js';

type EndedUpload = BatchCompletedEvent['uploads'][number];

@Injectable()
export class BatchCompletion {
  constructor(private readonly db: DataSource) {}

  /** The batch's files once the batch is over; null while a file is open or none completed. */
  async endedUploads(batchId: string): Promise<EndedUpload[] | null> {
    const rows = await this.db.query<Array<EndedUpload & { open: boolean }>>(
      `SELECT s.id AS "uploadId", s.filename,
              CASE WHEN s.state = 'open' AND s.expires_at <= now() THEN 'expired' ELSE s.state END AS state,
              v.id AS "videoId", (s.state = 'open' AND s.expires_at > now()) AS open
         FROM upload_sessions s LEFT JOIN videos v ON v.upload_id = s.id
        WHERE s.batch_id = $1
        ORDER BY s.created_at, s.id`,
      [batchId],
    );
    if (rows.some((r) => r.open) || !rows.some((r) => r.state === 'completed')) return null;
    return rows.map(({ uploadId, filename, state, videoId }) => ({ uploadId, filename, state, videoId }));
  }
}
