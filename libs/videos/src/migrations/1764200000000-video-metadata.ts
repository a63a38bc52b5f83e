import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What the worker learns about a video (ffprobe, sha256, thumbnail) and when it processed it. */
export class VideoMetadata1764200000000 implements MigrationInterface {
  name = 'VideoMetadata1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE videos
        ADD COLUMN duration_seconds double precision,
        ADD COLUMN width integer,
        ADD COLUMN height integer,
        ADD COLUMN video_codec varchar(64),
        ADD COLUMN audio_codec varchar(64),
        ADD COLUMN bitrate bigint,
        ADD COLUMN container varchar(64),
        ADD COLUMN sha256 char(64),
        ADD COLUMN thumbnail_key varchar(1024),
        ADD COLUMN failure_reason text,
        ADD COLUMN processing_started_at timestamptz,
        ADD COLUMN processed_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE videos
        DROP COLUMN duration_seconds, DROP COLUMN width, DROP COLUMN height, DROP COLUMN video_codec,
        DROP COLUMN audio_codec, DROP COLUMN bitrate, DROP COLUMN container, DROP COLUMN sha256,
        DROP COLUMN thumbnail_key, DROP COLUMN failure_reason, DROP COLUMN processing_started_at,
        DROP COLUMN processed_at`);
  }
}
