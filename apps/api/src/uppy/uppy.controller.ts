/**
 * The routes @uppy/aws-s3 (6.x) calls on a Companion server, so that stock Uppy uploads to Reelay with
 * `companionEndpoint` alone. Paths, query parameters and bodies follow Uppy's own client
 * (node_modules/@uppy/aws-s3/src/s3-client/CompanionS3.ts) and Companion's answers:
 *
 *   POST   <endpoint>/s3/multipart                         {filename, type, metadata} -> {key, uploadId}
 *   GET    <endpoint>/s3/multipart/:uploadId/:partNumber    -> {url, expires}
 *   GET    <endpoint>/s3/multipart/:uploadId/batch?partNumbers=1,2  -> {presignedUrls} (Uppy 3 and 4)
 *   GET    <endpoint>/s3/multipart/:uploadId                -> [{PartNumber, Size, ETag}]
 *   POST   <endpoint>/s3/multipart/:uploadId/complete       {parts: [{PartNumber, ETag}]} -> {location, key}
 *   DELETE <endpoint>/s3/multipart/:uploadId                -> {}
 *   GET    <endpoint>/s3/params?filename&type&metadata[k]   -> {method, url, fields} (a file sent whole)
 *
 * Each Uppy file is an upload session of the caller whose parts Uppy sizes; uploadId is the session's
 * id, and the `key` Uppy passes back is ignored (the session knows its key). The endpoint is
 * `/api/v1/uppy/<token>`, minted by POST /api/v1/uppy/endpoints (uppy-endpoint.controller.ts).
 * Answers are Uppy's shapes, not the envelope; errors keep the envelope (Uppy reads only the status).
 */
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '#config';
import { MAX_PART_SIZE } from '#storage';
import {
  AbortUpload,
  CompleteUpload,
  ListClientParts,
  SignClientParts,
  StartClientSizedUpload,
  StoreClientPart,
  validationFailed,
} from '#uploads';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { Public } from '../auth/public.decorator.js';
import { NoRateLimit } from '../auth/rate-limits.js';
import { NoEnvelope } from '../common/envelope.interceptor.js';
import { ParseUuid } from '../common/uuid-param.js';
import { RequestId } from '../common/request-id.decorator.js';
import { chunkBody } from '../videos-batch/chunk-body.js';
import {
  CompletedMultipartDto,
  CompleteMultipartDto,
  CreatedMultipartDto,
  CreateMultipartDto,
  ListedPartDto,
  PostPolicyDto,
  SignedPartDto,
  SignedPartsDto,
} from './dto/uppy.dto.js';
import { channelOf } from './uppy-metadata.js';
import { spool } from './spool.js';
import { UppyTokenGuard } from './uppy-token.guard.js';

@Public()
@UseGuards(UppyTokenGuard)
@NoEnvelope()
@NoRateLimit()
// Uppy's protocol, not Reelay's: the README's Uppy section documents it; uppy.e2e-spec.ts checks its shapes.
@ApiExcludeController()
@Controller('api/v1/uppy/:token/s3')
export class UppyController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly start: StartClientSizedUpload,
    private readonly signParts: SignClientParts,
    private readonly listParts: ListClientParts,
    private readonly storePart: StoreClientPart,
    private readonly completeUpload: CompleteUpload,
    private readonly abortUpload: AbortUpload,
  ) {}

  @Post('multipart')
  @HttpCode(200)
  async create(@Body() dto: CreateMultipartDto, @CurrentUser() user: AuthUser): Promise<CreatedMultipartDto> {
    const session = await this.start.execute({
      uploader: user,
      channelId: channelOf(dto.metadata),
      filename: dto.filename,
      type: dto.type,
    });
    return { key: session.storageKey, uploadId: session.id };
  }

  @Get('multipart/:uploadId/batch')
  async signBatch(
    @Param('uploadId', ParseUuid) uploadId: string,
    @Query('partNumbers') partNumbers: unknown,
    @CurrentUser() user: AuthUser,
  ): Promise<SignedPartsDto> {
    const numbers = typeof partNumbers === 'string' ? partNumbers.split(',').map(Number) : [];
    const { urls } = await this.signParts.execute({ uploadId, ownerId: user.id, partNumbers: numbers });
    return { presignedUrls: Object.fromEntries(numbers.map((n, i) => [String(n), urls[i]])) };
  }

  @Get('multipart/:uploadId/:partNumber')
  async signPart(
    @Param('uploadId', ParseUuid) uploadId: string,
    @Param('partNumber') partNumber: string,
    @CurrentUser() user: AuthUser,
  ): Promise<SignedPartDto> {
    const number = /^\d{1,5}$/.test(partNumber) ? Number(partNumber) : NaN;
    const { urls } = await this.signParts.execute({ uploadId, ownerId: user.id, partNumbers: [number] });
    return { url: urls[0], expires: this.config.upload.urlTtlSeconds };
  }

  @Get('multipart/:uploadId')
  async parts(@Param('uploadId', ParseUuid) uploadId: string, @CurrentUser() user: AuthUser): Promise<ListedPartDto[]> {
    const parts = await this.listParts.execute({ uploadId, ownerId: user.id });
    return parts.map((p) => ({ PartNumber: p.partNumber, Size: p.size, ETag: p.etag }));
  }

  @Post('multipart/:uploadId/complete')
  @HttpCode(200)
  async complete(
    @Param('uploadId', ParseUuid) uploadId: string,
    @Body() dto: CompleteMultipartDto,
    @CurrentUser() user: AuthUser,
    @RequestId() requestId: string,
  ): Promise<CompletedMultipartDto> {
    const parts = dto.parts.map((p) => ({ partNumber: p.PartNumber, etag: p.ETag }));
    const video = await this.completeUpload.execute({ uploadId, ownerId: user.id, parts, requestId });
    return this.completed(video);
  }

  @Delete('multipart/:uploadId')
  async abort(@Param('uploadId', ParseUuid) uploadId: string, @CurrentUser() user: AuthUser): Promise<object> {
    await this.abortUpload.execute({ uploadId, ownerId: user.id });
    return {};
  }

  /**
   * A file Uppy sends without multipart: its form goes to Reelay's own POST route below rather than to
   * a storage POST policy (Storj's gateway lists no PostObject among its S3 actions, and the disk driver
   * has none), which stores it as the one part of its upload and completes it.
   */
  @Get('params')
  async params(
    @Param('token') token: string,
    @Query() query: Record<string, unknown>,
    @CurrentUser() user: AuthUser,
  ): Promise<PostPolicyDto> {
    const metadata = Object.fromEntries(
      Object.entries(query).flatMap(([k, v]) => {
        const name = /^metadata\[(.+)\]$/.exec(k)?.[1];
        return name === undefined ? [] : [[name, v]];
      }),
    );
    const filename = typeof query.filename === 'string' ? query.filename : '';
    if (filename.trim() === '' || filename.length > 1024)
      throw validationFailed([{ field: 'filename', problems: ['filename must be 1 to 1024 characters'] }]);
    const session = await this.start.execute({
      uploader: user,
      channelId: channelOf(metadata),
      filename,
      type: typeof query.type === 'string' ? query.type : undefined,
    });
    const url = `${this.config.http.publicUrl}/api/v1/uppy/${token}/s3/post/${session.id}`;
    // Uppy reports `<url>/<key>` as the file's location: with the video's id-to-be as the key, its last
    // segment is the video id, as the multipart location's is.
    return { method: 'POST', url, fields: { key: session.fileId } };
  }

  @Post('post/:uploadId')
  @HttpCode(201)
  async post(
    @Param('uploadId', ParseUuid) uploadId: string,
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
    return this.completed(video);
  }

  private completed(video: { id: string; storageKey: string }): CompletedMultipartDto {
    return {
      location: `${this.config.http.publicUrl}/api/v1/videos/${video.id}`,
      key: video.storageKey,
      videoId: video.id,
    };
  }
}
