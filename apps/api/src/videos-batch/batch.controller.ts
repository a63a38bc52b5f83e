/**
 * The batch upload routes of the seed document ("Batch Upload for Frontend"). Each handler maps HTTP
 * to one use case of libs/uploads and its result to a response DTO. GET progress, the route pages poll,
 * is a Fastify route: progress.route.ts.
 */
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '#config';
import {
  AbortUpload,
  CompleteBatch,
  CompleteUpload,
  InitBatch,
  ReadBatch,
  ReceiveChunk,
  RetryFailedChunks,
} from '#uploads';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { NoRateLimit, RateLimit } from '../auth/rate-limits.js';
import { ApiErrors, ApiOkEnvelope } from '../common/api-envelope.decorator.js';
import { RequestId } from '../common/request-id.decorator.js';
import { ApiBatchIdParam, ApiUploadIdParam, ParseUuid } from '../common/uuid-param.js';
import { toVideoDto, VideoDto } from '../videos/dto/video.dto.js';
import { chunkBody } from './chunk-body.js';
import { AbortedUploadDto } from './dto/aborted-upload.dto.js';
import { BatchCompletionDto, toBatchCompletionDto } from './dto/batch-completion.dto.js';
import { BatchDto, toBatchDto } from './dto/batch.dto.js';
import { ChunkResultDto } from './dto/chunk-result.dto.js';
import { CompleteUploadDto } from './dto/complete-upload.dto.js';
import { InitBatchDto } from './dto/init-batch.dto.js';
import { RetryChunksDto } from './dto/retry-chunks.dto.js';
import { RetryUrlDto, toRetryUrlDto } from './dto/retry-url.dto.js';
import { ChunkParamsDto } from './dto/upload-params.dto.js';
import { toUploadSessionDto, UploadSessionDto } from './dto/upload-session.dto.js';

@ApiTags('videos-batch')
@ApiBearerAuth()
@ApiErrors(
  [401, 'Missing, malformed, expired or wrongly signed token'],
  [500, 'A fault of the server: error.details.errorId is in its log'],
)
@NoRateLimit()
@Controller('api/v1/videos/batch')
export class BatchController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly initBatch: InitBatch,
    private readonly receiveChunk: ReceiveChunk,
    private readonly retryFailedChunks: RetryFailedChunks,
    private readonly completeUpload: CompleteUpload,
    private readonly abortUpload: AbortUpload,
    private readonly readBatch: ReadBatch,
    private readonly completeBatch: CompleteBatch,
  ) {}

  @Post('init')
  @HttpCode(201)
  @RateLimit('init')
  @ApiOperation({ summary: 'Start a batch: one upload session per file, with presigned PUT URLs' })
  @ApiOkEnvelope(UploadSessionDto, {
    isArray: true,
    status: 201,
    description: 'One session per file, in the order of `files`',
  })
  @ApiErrors(
    [400, 'Invalid body (the failing fields are in error.details.fields), or malformed JSON'],
    [403, 'The token does not allow uploads to this channel'],
    [413, 'A JSON body above 256 KiB'],
    [415, 'A body that is not JSON'],
    [429, 'Too many inits in the window (Retry-After), or too many open uploads'],
  )
  async init(@Body() dto: InitBatchDto, @CurrentUser() user: AuthUser): Promise<UploadSessionDto[]> {
    const uploads = await this.initBatch.execute({ uploader: user, channelId: dto.channel_id, files: dto.files });
    return uploads.map(toUploadSessionDto);
  }

  @Post('chunk/:uploadId/:chunkIndex')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send one chunk through the API; it is streamed to storage as that part. Sending it again replaces it.',
  })
  // Its body is described per content type in the OpenAPI document: CHUNK_REQUEST_BODY (chunk-body.ts).
  @ApiOkEnvelope(ChunkResultDto)
  @ApiErrors(
    [400, 'Chunk of the wrong length, index out of range, uploadId not a UUID, or a form without its chunk'],
    [404, 'Unknown uploadId'],
    [409, 'Upload already completed, also when it completed while the chunk streamed'],
    [410, 'Upload expired or aborted'],
    [413, 'Chunk larger than the chunk route takes (2 GiB by default)'],
    [408, 'The body sent nothing for HTTP_BODY_IDLE_TIMEOUT_MS; the chunk is marked failed'],
    [415, 'Neither application/octet-stream nor multipart/form-data'],
    [502, 'Storage did not take the chunk; it is marked failed'],
  )
  async chunk(
    @Param() params: ChunkParamsDto,
    @Req() req: FastifyRequest,
    // Passthrough: the answer is still the envelope's; the body's watch may only add Connection: close.
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentUser() user: AuthUser,
  ): Promise<ChunkResultDto> {
    const body = await chunkBody(req, reply, {
      maxChunkSize: this.config.upload.maxChunkSize,
      idleTimeoutMs: this.config.http.bodyIdleTimeoutMs,
    });
    return this.receiveChunk.execute({
      uploadId: params.uploadId,
      ownerId: user.id,
      chunkIndex: params.chunkIndex,
      body,
    });
  }

  @Post('retry/:uploadId')
  @ApiUploadIdParam()
  @HttpCode(200)
  @RateLimit('retry')
  @ApiOperation({
    summary: 'Fresh presigned URLs for the failed chunks, or for the chunks named in the body that are not stored',
  })
  @ApiBody({ type: RetryChunksDto, required: false })
  @ApiOkEnvelope(RetryUrlDto, { isArray: true })
  @ApiErrors(
    [400, 'uploadId is not a UUID, or a chunk index is not one of the upload'],
    [404, 'Unknown uploadId'],
    [409, 'Upload already completed'],
    [410, 'Upload expired or aborted'],
    [429, 'Too many retries in the window (Retry-After)'],
  )
  async retry(
    @Param('uploadId', ParseUuid) uploadId: string,
    @Body() body: RetryChunksDto,
    @CurrentUser() user: AuthUser,
  ): Promise<RetryUrlDto[]> {
    const urls = await this.retryFailedChunks.execute({ uploadId, ownerId: user.id, chunks: body?.chunks });
    return urls.map(toRetryUrlDto);
  }

  @Post('complete/:uploadId')
  @ApiUploadIdParam()
  @HttpCode(200)
  @RateLimit('complete')
  @ApiOperation({
    summary: 'Finalize the upload: create the video and queue its processing. Completing again answers the same video.',
  })
  @ApiBody({ type: CompleteUploadDto, required: false })
  @ApiOkEnvelope(VideoDto)
  @ApiErrors(
    [400, 'uploadId is not a UUID, or a sha256 that is malformed or differs from the one init declared'],
    [404, 'Unknown uploadId'],
    [
      409,
      'Missing parts (error.details.missingChunks lists them, and they are marked failed), or storage holds ' +
        'another size than announced',
    ],
    [410, 'Upload expired or aborted'],
    [429, 'Too many completions in the window (Retry-After)'],
  )
  async complete(
    @Param('uploadId', ParseUuid) uploadId: string,
    @Body() body: CompleteUploadDto,
    @CurrentUser() user: AuthUser,
    @RequestId() requestId: string,
  ): Promise<VideoDto> {
    return toVideoDto(
      await this.completeUpload.execute({ uploadId, ownerId: user.id, sha256: body?.sha256, requestId }),
    );
  }

  @Post('abort/:uploadId')
  @ApiUploadIdParam()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Give the upload up: its multipart upload is aborted, what it stored is deleted, and every later call for it ' +
      'answers 410 UPLOAD_ABORTED. Aborting again answers the same.',
  })
  @ApiOkEnvelope(AbortedUploadDto)
  @ApiErrors(
    [400, 'uploadId is not a UUID'],
    [404, 'Unknown uploadId'],
    [409, 'Upload already completed'],
    [410, 'Upload expired'],
  )
  abort(@Param('uploadId', ParseUuid) uploadId: string, @CurrentUser() user: AuthUser): Promise<AbortedUploadDto> {
    return this.abortUpload.execute({ uploadId, ownerId: user.id });
  }

  @Get(':batchId')
  @ApiBatchIdParam()
  @ApiOperation({
    summary: "The batch as one unit: every file's progress and video, the batch's bytes, percent and state",
  })
  @ApiOkEnvelope(BatchDto)
  @ApiErrors([400, 'batchId is not a UUID'], [404, 'Unknown batchId'])
  async batch(@Param('batchId', ParseUuid) batchId: string, @CurrentUser() user: AuthUser): Promise<BatchDto> {
    return toBatchDto(await this.readBatch.execute({ batchId, ownerId: user.id }));
  }

  @Post(':batchId/complete')
  @ApiBatchIdParam()
  @HttpCode(200)
  @RateLimit('complete')
  @ApiOperation({
    summary:
      'Complete every file whose chunks are all stored. 200 with one answer per file: its video, the chunks it ' +
      'misses, or why it cannot be completed (`completed` is true when every file has its video). Calling again ' +
      'answers the same videos and completes the files whose chunks arrived since.',
  })
  @ApiOkEnvelope(BatchCompletionDto)
  @ApiErrors(
    [400, 'batchId is not a UUID'],
    [404, 'Unknown batchId'],
    [429, 'Too many completions in the window (Retry-After)'],
  )
  async completeAll(
    @Param('batchId', ParseUuid) batchId: string,
    @CurrentUser() user: AuthUser,
    @RequestId() requestId: string,
  ): Promise<BatchCompletionDto> {
    return toBatchCompletionDto(await this.completeBatch.execute({ batchId, ownerId: user.id, requestId }));
  }
}
