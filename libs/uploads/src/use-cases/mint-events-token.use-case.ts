/**
 * A token for a batch's event streams (POST /batch/:batchId/events/token): EventSource cannot send an
 * Authorization header, so a page opens the stream with this token in its query instead. It is good for
 * that batch's streams only (the batch's and each of its uploads'), for EVENTS_TOKEN_TTL_SECONDS; a
 * stream opened with it stays open past its expiry, a reconnection needs a fresh one.
 */
import { Inject, Injectable } from '@nestjs/common';
import { UploadSessionRepository } from '#videos';
import { AccessTokens, type MintedToken } from '../access-tokens.js';
import { EVENT_SETTINGS, type EventSettings } from '../events/event-settings.js';
import { batchNotFound } from '../upload-error.js';
import type { Uploader } from '../uploader.js';

export interface MintEventsTokenCommand {
  uploader: Uploader;
  batchId: string;
}

@Injectable()
export class MintEventsToken {
  constructor(
    @Inject(EVENT_SETTINGS) private readonly settings: EventSettings,
    private readonly repository: UploadSessionRepository,
    private readonly tokens: AccessTokens,
  ) {}

  /** Throws UploadError BATCH_NOT_FOUND for a batch that is unknown or someone else's. */
  async execute({ uploader, batchId }: MintEventsTokenCommand): Promise<MintedToken> {
    if (!(await this.repository.findOwnedBatch(batchId, uploader.id))) throw batchNotFound(batchId);
    return this.tokens.mint(uploader, 'batch-events', this.settings.tokenTtlSeconds, batchId);
  }
}
