/**
 * POST /api/v1/videos?upload=<uploadId>&uppy=<token>: the form Uppy's S3 plugin posts for a file sent
 * without multipart, as /s3/params told it (uppy.controller.ts). The form's `file` is streamed to a
 * temporary file (an S3 part needs its length), stored as the upload's one part, and the upload completed:
 * the answer is 201 with the Video's URL in Location. The token is Uppy's endpoint token, in the query
 * because Uppy sends the form with no headers of ours; Uppy drops the query when it reports the location,
 * `/api/v1/videos/<key>`, which is the Video's URL.
 *
 * A POST that fails (storage down, the connection lost) leaves the upload open: Uppy's fetcher posts the same
 * form again (3 times on a 5xx or a network error), and `uppy.retryAll()` asks /s3/params for a new upload.
 */
import { Controller, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '#config';
import { MAX_PART_SIZE } from '#storage';
import { CompleteUpload, StoreClientPart } from '#uploads';
import { AuthByAccessToken } from '../auth/access-token-auth.decorator.js';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { NoRateLimit, RateLimit } from '../auth/rate-limits.js';
import { NoEnvelope } from '../common/envelope.interceptor.js';
import { RequestId } from '../common/request-id.decorator.js';
import { ParseUuid } from '../common/uuid-param.js';
import { chunkBody } from '../videos-batch/chunk-body.js';
import { type CompletedMultipartDto, toCompletedMultipartDto } from './dto/uppy.dto.js';
import { spool } from './spool.js';

@AuthByAccessToken({ purpose: 'uppy', read: (req) => (req.query as { uppy?: string }).uppy })
@NoEnvelope()
@NoRateLimit()
// Uppy's protocol, not Reelay's: the README's Uppy section documents it; uppy.e2e-spec.ts checks it.
@ApiExcludeController()
@Controller('api/v1/videos')
export class UppyFormController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly storePart: StoreClientPart,
    private readonly completeUpload: CompleteUpload,
  ) {}

  @Post()
  @HttpCode(201)
  @RateLimit('complete')
  async post(
    @Query('upload', ParseUuid) uploadId: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentUser() user: AuthUser,
    @RequestId() requestId: string,
  ): Promise<CompletedMultipartDto> {
    const body = await chunkBody(req, reply, {
      maxChunkSize: Math.min(this.config.upload.maxFileSize, MAX_PART_SIZE),
      idleTimeoutMs: this.config.http.bodyIdleTimeoutMs,
      formField: 'file',
    });
    const file = await spool(body.stream).catch(async (error: unknown) => {
      await body.discard?.();
      throw error;
    });
    try {
      await this.storePart.execute({
        uploadId,
        ownerId: user.id,
        partNumber: 1,
        body: file.read(),
        length: file.length,
      });
    } finally {
      await file.remove();
    }
    const video = await this.completeUpload.execute({ uploadId, ownerId: user.id, requestId });
    const answer = toCompletedMultipartDto(this.config.http.publicUrl, video);
    void reply.header('location', answer.location);
    return answer;
  }
}
