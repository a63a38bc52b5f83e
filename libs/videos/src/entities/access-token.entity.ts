import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** What a minted access token may be used for: one purpose each. */
export type AccessTokenPurpose = 'uppy' | 'batch-events';

/**
 * A token Reelay minted for a client that cannot send an Authorization header (Uppy's S3 plugin calls
 * its Companion endpoint with no headers), carried in a URL instead. Only its SHA-256 is stored; it
 * stands for the caller who minted it, with the channels their own token allowed at the time.
 */
@Entity('access_tokens')
@Index('access_tokens_expiry', ['expiresAt'])
export class AccessToken {
  /** Hex SHA-256 of the token. */
  @PrimaryColumn({ name: 'token_hash', type: 'char', length: 64 }) tokenHash: string;
  @Column({ type: 'varchar', length: 16 }) purpose: AccessTokenPurpose;
  /** The one thing the token is for, when its purpose names one (`batch-events`: the batch id). */
  @Column({ type: 'varchar', length: 64, nullable: true }) scope: string | null;
  @Column({ name: 'owner_id', type: 'varchar', length: 255 }) ownerId: string;
  /** The channel ids the minting caller could upload to, or "*". */
  @Column({ type: 'jsonb' }) channels: string[] | '*';
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
