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
 *   GET    <endpoint>/s3/params?filename&type&metadata[k]   -> {method, url, fields} (a file sent whole,
 *                                                              posted to uppy-form.controller.ts)
 *
 * Each Uppy file is an upload session of the caller whose parts Uppy sizes; uploadId is the session's
 * id, and the `key` Uppy passes back is ignored (the session knows its key). The endpoint is
 * `/api/v1/uppy/<token>`, minted by POST /api/v1/uppy/endpoints (uppy-endpoint.controller.ts); AuthGuard
 * authenticates the token, so the per-user limits count these routes (create, complete) for its user.
 * Answers are Uppy's shapes, not the envelope; errors keep the envelope, and their code and message are
 * the reason phrase Uppy shows (uppy-status-text.hooks.ts).
 */
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '#config';
import {
  AbortUpload,
  CompleteUpload,
  ListClientParts,
  SignClientParts,
  StartClientSizedUpload,
  validationFailed,
} from '#uploads';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { AuthByAccessToken } from '../auth/access-token-auth.decorator.js';
import { NoRateLimit, RateLimit } from '../auth/rate-limits.js';
import { NoEnvelope } from '../common/envelope.interceptor.js';
import { ParseUuid } from '../common/uuid-param.js';
import { RequestId } from '../common/request-id.decorator.js';
import {
  CompletedMultipartDto,
  CompleteMultipartDto,
  CreatedMultipartDto,
  CreateMultipartDto,
  ListedPartDto,
  PostPolicyDto,
  SignedPartDto,
  SignedPartsDto,
  toCompletedMultipartDto,
} from './dto/uppy.dto.js';
import { UPPY_FORM_PATH } from './uppy-status-text.hooks.js';
import { channelOf } from './uppy-metadata.js';

@AuthByAccessToken({ purpose: 'uppy', read: (req) => (req.params as { token?: string }).token })
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
    private readonly completeUpload: CompleteUpload,
    private readonly abortUpload: AbortUpload,
  ) {}

  @Post('multipart')
  @HttpCode(200)
  @RateLimit('create')
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
  @RateLimit('complete')
  async complete(
    @Param('uploadId', ParseUuid) uploadId: string,
    @Body() dto: CompleteMultipartDto,
    @CurrentUser() user: AuthUser,
    @RequestId() requestId: string,
  ): Promise<CompletedMultipartDto> {
    const parts = dto.parts.map((p) => ({ partNumber: p.PartNumber, etag: p.ETag }));
    const video = await this.completeUpload.execute({ uploadId, ownerId: user.id, parts, requestId });
    return toCompletedMultipartDto(this.config.http.publicUrl, video);
  }

  @Delete('multipart/:uploadId')
  async abort(@Param('uploadId', ParseUuid) uploadId: string, @CurrentUser() user: AuthUser): Promise<object> {
    await this.abortUpload.execute({ uploadId, ownerId: user.id });
    return {};
  }

  /**
   * A file Uppy sends without multipart: its form goes to Reelay's own route (uppy-form.controller.ts)
   * rather than to a storage POST policy (Storj's gateway lists no PostObject among its S3 actions, and the
   * disk driver has none), which stores it as the one part of its upload and completes it.
   *
   * Uppy reports `<form URL without its query>/<key>` as the file's location (`postObjectLocation` in
   * @uppy/aws-s3): with the form at /api/v1/videos, the upload and the token in its query, and the video's
   * id-to-be as the key, that location is the video's URL, as a multipart upload's is.
   */
  @Get('params')
  @RateLimit('create')
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
    const form = new URLSearchParams({ upload: session.id, uppy: token });
    return {
      method: 'POST',
      url: `${this.config.http.publicUrl}${UPPY_FORM_PATH}?${form.toString()}`,
      fields: { key: session.fileId },
    };
  }
}
