/**
 * The parts storage holds for an upload whose client sizes them (Uppy's `GET /s3/multipart/:id`, which
 * it calls to resume): ListParts of its multipart upload, all pages.
 */
import { Injectable } from '@nestjs/common';
import { ObjectStorage, type StoredPart } from '#storage';
import { UploadSessions } from '../upload-sessions.js';

export interface ListClientPartsCommand {
  uploadId: string;
  ownerId: string;
}

@Injectable()
export class ListClientParts {
  constructor(
    private readonly sessions: UploadSessions,
    private readonly storage: ObjectStorage,
  ) {}

  /** Ascending by part number. Throws UploadError as SignClientParts does (no part number check). */
  async execute({ uploadId, ownerId }: ListClientPartsCommand): Promise<StoredPart[]> {
    const session = await this.sessions.findOpen(uploadId, ownerId, 'client');
    return this.storage.listParts(session.storageKey, session.multipartUploadId);
  }
}
