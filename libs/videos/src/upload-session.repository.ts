/** Data access for batches, upload sessions and the videos they become. */
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { UploadBatch } from './entities/upload-batch.entity.js';
import { type PartSizing, type SessionState, UploadSession } from './entities/upload-session.entity.js';
import { type ProcessedVideo, Video, type VideoProcessingField } from './entities/video.entity.js';

export type NewUploadSession = Omit<
  UploadSession,
  'batch' | 'state' | 'partSizing' | 'position' | 'declaredSha256' | 'completedAt' | 'createdAt' | 'updatedAt'
> & { partSizing?: PartSizing; position?: number | null; declaredSha256?: string | null };
export type NewVideo = Omit<Video, 'status' | 'createdAt' | 'updatedAt' | VideoProcessingField>;

@Injectable()
export class UploadSessionRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Writes a batch and all its sessions, or nothing. With `maxOpenPerOwner`, answers false (and writes
   * nothing) when the owner would have more open sessions than that; a per-owner advisory lock makes
   * the count and the insert one step, so concurrent inits cannot both slip under the cap.
   */
  async createBatch(
    batch: Pick<UploadBatch, 'id' | 'channelId' | 'ownerId'>,
    sessions: NewUploadSession[],
    maxOpenPerOwner = Infinity,
  ): Promise<boolean> {
    return this.db.transaction(async (m) => {
      if (Number.isFinite(maxOpenPerOwner)) {
        await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`open-sessions:${batch.ownerId}`]);
        const open = await m
          .getRepository(UploadSession)
          .createQueryBuilder('s')
          .where(`s.owner_id = :owner AND s.state = 'open' AND s.expires_at > now()`, { owner: batch.ownerId })
          .getCount();
        if (open + sessions.length > maxOpenPerOwner) return false;
      }
      await m.insert(UploadBatch, batch);
      await m.insert(UploadSession, sessions);
      return true;
    });
  }

  findSession(id: string): Promise<UploadSession | null> {
    return this.db.getRepository(UploadSession).findOneBy({ id });
  }

  /** The session only when it belongs to `ownerId`: to anyone else it does not exist. */
  findOwnedSession(id: string, ownerId: string): Promise<UploadSession | null> {
    return this.db.getRepository(UploadSession).findOneBy({ id, ownerId });
  }

  /** The batch with its sessions, oldest first (init's order), only when it belongs to `ownerId`. */
  async findOwnedBatch(
    batchId: string,
    ownerId: string,
  ): Promise<{ batch: UploadBatch; sessions: UploadSession[] } | null> {
    const batch = await this.db.getRepository(UploadBatch).findOneBy({ id: batchId, ownerId });
    if (!batch) return null;
    const sessions = await this.db
      .getRepository(UploadSession)
      .createQueryBuilder('s')
      .where('s.batch_id = :batchId', { batchId })
      .orderBy('s.position', 'ASC', 'NULLS LAST')
      .addOrderBy('s.created_at')
      .addOrderBy('s.id')
      .getMany();
    return { batch, sessions };
  }

  /** The videos made by these upload sessions (any order; a session not completed has none). */
  findVideosByUploadIds(uploadIds: readonly string[]): Promise<Video[]> {
    if (uploadIds.length === 0) return Promise.resolve([]);
    return this.db.getRepository(Video).findBy({ uploadId: In([...uploadIds]) });
  }

  findVideoByUploadId(uploadId: string): Promise<Video | null> {
    return this.db.getRepository(Video).findOneBy({ uploadId });
  }

  findVideo(id: string): Promise<Video | null> {
    return this.db.getRepository(Video).findOneBy({ id });
  }

  /**
   * Creates the Video and closes the session in one transaction. The session row is locked first, so
   * two concurrent completions serialize: the second finds the session completed and gets the same
   * video back (created = false), never a second row. `joined` records the size and part count of a
   * client-sized session, known only now.
   */
  async completeWithVideo(
    sessionId: string,
    video: NewVideo,
    joined?: { size: number; totalChunks: number },
  ): Promise<{ video: Video; created: boolean } | { video: null; state: 'expired' | 'aborted' }> {
    return this.db.transaction(async (m) => {
      const session = await lockSession(m, sessionId);
      if (session.state === 'completed') {
        return { video: await m.findOneByOrFail(Video, { uploadId: sessionId }), created: false };
      }
      // The cleanup expired it, or its owner aborted it (its storage released), while this completion was on its way.
      if (session.state !== 'open') return { video: null, state: session.state };
      await m.insert(Video, { ...video, status: 'uploaded' });
      await m.update(UploadSession, { id: sessionId }, { ...joined, state: 'completed', completedAt: new Date() });
      return { video: await m.findOneByOrFail(Video, { id: video.id }), created: true };
    });
  }

  /**
   * Aborts an open session (expired or not): `release` frees its storage while the row is locked, then
   * the session says `aborted`. Answers the session's state after the call: `aborted` (now or before),
   * or `completed` / `expired` when it had ended otherwise, untouched. A complete racing it serializes
   * on the same row lock.
   */
  async abort(sessionId: string, release: (session: UploadSession) => Promise<void>): Promise<SessionState> {
    return this.db.transaction(async (m) => {
      const session = await lockSession(m, sessionId);
      if (session.state !== 'open') return session.state;
      await release(session);
      await m.update(UploadSession, { id: sessionId }, { state: 'aborted' });
      return 'aborted';
    });
  }

  /**
   * Moves a tus session's offset from `from` to `to` while it is open and in time; answers false (and
   * changes nothing) when the offset is no longer `from` or the session ended, so that a writer that lost
   * its lock can never move the offset back or past another writer.
   */
  async advanceTusOffset(sessionId: string, from: number, to: number): Promise<boolean> {
    const { affected } = await this.db
      .createQueryBuilder()
      .update(UploadSession)
      .set({ tusOffset: to })
      .where(`id = :id AND tus_offset = :from AND state = 'open' AND expires_at > now()`, { id: sessionId, from })
      .execute();
    return Boolean(affected);
  }

  /** Whether the session is open and in time (not completed, aborted or expired). */
  async isOpen(sessionId: string): Promise<boolean> {
    return this.db
      .getRepository(UploadSession)
      .createQueryBuilder('s')
      .where(`s.id = :id AND s.state = 'open' AND s.expires_at > now()`, { id: sessionId })
      .getExists();
  }

  /**
   * Moves a video to `processing` (again, on a retry) and answers it; null when it is missing or
   * already `ready` or `failed`, so that a job that runs twice leaves the first result alone.
   */
  async startProcessing(videoId: string): Promise<Video | null> {
    const { affected } = await this.db
      .createQueryBuilder()
      .update(Video)
      .set({ status: 'processing', processingStartedAt: () => 'COALESCE(processing_started_at, now())' })
      .where({ id: videoId, status: In(['uploaded', 'processing']) })
      .execute();
    return affected ? this.findVideo(videoId) : null;
  }

  /** Records the result of processing; answers false when the video was no longer `processing`. */
  async finishProcessing(videoId: string, result: ProcessedVideo): Promise<boolean> {
    const { affected } = await this.db
      .getRepository(Video)
      .update(
        { id: videoId, status: 'processing' },
        { ...result, status: 'ready', failureReason: null, processedAt: new Date() },
      );
    return Boolean(affected);
  }

  /** Ends processing as `failed` with a reason a person can read; a `ready` video stays ready. */
  async failProcessing(videoId: string, reason: string): Promise<boolean> {
    const { affected } = await this.db
      .getRepository(Video)
      .update(
        { id: videoId, status: In(['uploaded', 'processing']) },
        { status: 'failed', failureReason: reason, processedAt: new Date() },
      );
    return Boolean(affected);
  }

  /**
   * Ids of up to `limit` videos still to be processed, in id order after `afterId`: every `uploaded`
   * one, and the `processing` ones untouched since `processingStaleBefore` (no run that started earlier
   * can still be going). The cleanup re-queues those whose job is gone.
   */
  async videosAwaitingProcessing(processingStaleBefore: Date, limit: number, afterId?: string): Promise<string[]> {
    const query = this.db
      .getRepository(Video)
      .createQueryBuilder('v')
      .select('v.id', 'id')
      .where(`(v.status = 'uploaded' OR (v.status = 'processing' AND v.updated_at < :stale))`, {
        stale: processingStaleBefore,
      });
    if (afterId) query.andWhere('v.id > :afterId', { afterId });
    const rows = await query.orderBy('v.id').limit(limit).getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** Sessions open and not past their expiry (the open-session index answers it alone): the metrics' gauge. */
  async countOpenSessions(): Promise<number> {
    const rows = await this.db.query<{ open: string }[]>(
      `SELECT count(*) AS open FROM upload_sessions WHERE state = 'open' AND expires_at > now()`,
    );
    return Number(rows[0].open);
  }

  /** Which of these multipart upload ids belong to an open session. */
  async openMultipartUploadIds(multipartUploadIds: readonly string[]): Promise<Set<string>> {
    if (multipartUploadIds.length === 0) return new Set();
    const rows = await this.db
      .getRepository(UploadSession)
      .createQueryBuilder('s')
      .select('s.multipart_upload_id', 'id')
      .where(`s.state = 'open' AND s.multipart_upload_id = ANY(:ids)`, { ids: [...multipartUploadIds] })
      .getRawMany<{ id: string }>();
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Expires up to `limit` open sessions past their expiry, oldest first. Each is claimed in its own
   * transaction with FOR UPDATE SKIP LOCKED, so several workers at once (or a complete racing the
   * cleanup) never handle one session twice. `release` frees the session's storage while the row is
   * locked and before it says `expired`; a session whose release throws stays open for the next run.
   */
  async expireAbandoned(limit: number, release: (session: UploadSession) => Promise<void>): Promise<ExpireOutcome> {
    const candidates = await this.db
      .getRepository(UploadSession)
      .createQueryBuilder('s')
      .select('s.id', 'id')
      .where(`s.state = 'open' AND s.expires_at < now()`)
      .orderBy('s.expires_at')
      .limit(limit)
      .getRawMany<{ id: string }>();
    const outcome: ExpireOutcome = { expired: [], failed: [] };
    for (const { id } of candidates) {
      try {
        const session = await this.db.transaction((m) => expireOne(m, id, release));
        if (session) outcome.expired.push(session);
      } catch (error) {
        outcome.failed.push({ sessionId: id, error });
      }
    }
    return outcome;
  }
}

function lockSession(m: EntityManager, id: string): Promise<UploadSession> {
  return m
    .getRepository(UploadSession)
    .createQueryBuilder('s')
    .setLock('pessimistic_write')
    .where('s.id = :id', { id })
    .getOneOrFail();
}

export interface ExpireOutcome {
  expired: UploadSession[];
  failed: Array<{ sessionId: string; error: unknown }>;
}

/** Null when another caller holds the session or it is no longer open and past its expiry. */
async function expireOne(
  m: EntityManager,
  id: string,
  release: (session: UploadSession) => Promise<void>,
): Promise<UploadSession | null> {
  const session = await m
    .getRepository(UploadSession)
    .createQueryBuilder('s')
    .setLock('pessimistic_write')
    .setOnLocked('skip_locked')
    .where(`s.id = :id AND s.state = 'open' AND s.expires_at < now()`, { id })
    .getOne();
  if (!session) return null;
  await release(session);
  await m.update(UploadSession, { id }, { state: 'expired' });
  return { ...session, state: 'expired' };
}
