/**
 * tus 1.0.0 (https://tus.io/protocols/resumable-upload) under /api/v1/tus: the core protocol, and the
 * creation, creation-with-upload, termination, expiration and checksum extensions. Each handler maps the
 * tus headers to one use case of libs/uploads and its result to tus headers. Tus-Resumable on every
 * answer and the 412 for another version are tus-protocol.hooks.ts's; OPTIONS is answered with the CORS
 * preflights (common/cors.ts), because it needs no token.
 */
import { Controller, Delete, Head, HttpCode, Inject, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '#config';
import {
  CreateTusUpload,
  formatUploadExpires,
  parseByteCount,
  parseUploadChecksum,
  parseUploadMetadata,
  ReadTusUpload,
  TerminateTusUpload,
  TUS_VERSION,
  type TusUpload,
  type UploadChecksum,
  validationFailed,
  WriteTusUpload,
} from '#uploads';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { NoRateLimit, RateLimit } from '../auth/rate-limits.js';
import { ApiErrors, ApiOkEnvelope } from '../common/api-envelope.decorator.js';
import { ApiUploadIdParam, ParseUuid } from '../common/uuid-param.js';
import { toTusUploadDto, TusUploadDto } from './dto/tus-upload.dto.js';
import { hasTusBody, tusBody } from './tus-body.js';
import { tusCreation } from './tus-metadata.js';
import { TUS_PATH } from './tus-protocol.hooks.js';

const RESUMABLE = ApiHeader({ name: 'Tus-Resumable', required: true, description: `Always ${TUS_VERSION}` });
const OFFSET_HEADER = { 'Upload-Offset': { description: 'Bytes stored', schema: { type: 'integer' } } };
const EXPIRES_HEADER = {
  'Upload-Expires': { description: 'RFC 7231 date the upload expires at', schema: { type: 'string' } },
};
const BYTES_BODY = ApiBody({ required: false, schema: { type: 'string', format: 'binary' } });

@ApiTags('tus')
@ApiBearerAuth()
@ApiErrors(
  [401, 'Missing, malformed, expired or wrongly signed token'],
  [412, `Tus-Resumable missing or not ${TUS_VERSION} (the answer carries Tus-Version)`],
  [500, 'A fault of the server: error.details.errorId is in its log'],
)
@NoRateLimit()
@Controller(TUS_PATH.slice(1))
export class TusController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly createTusUpload: CreateTusUpload,
    private readonly writeTusUpload: WriteTusUpload,
    private readonly readTusUpload: ReadTusUpload,
    private readonly terminateTusUpload: TerminateTusUpload,
  ) {}

  @Post()
  @HttpCode(201)
  @RateLimit('create')
  @ApiOperation({
    summary:
      'tus creation (and creation-with-upload): one upload session. Upload-Metadata carries filename, filetype and ' +
      'channel_id (base64); Location is the upload URL. A body in application/offset+octet-stream is its first bytes.',
  })
  @RESUMABLE
  @ApiHeader({ name: 'Upload-Length', required: true, description: 'File size in bytes' })
  @ApiHeader({
    name: 'Upload-Metadata',
    required: true,
    description: 'filename, filetype, channel_id: "key base64,..."',
  })
  @ApiConsumes('application/offset+octet-stream')
  @BYTES_BODY
  @ApiOkEnvelope(TusUploadDto, { status: 201, description: 'Created; Location, Upload-Offset, Upload-Expires' })
  @ApiErrors(
    [400, 'Upload-Length or Upload-Metadata missing or malformed, or metadata init refuses (error.details.fields)'],
    [403, 'The token does not allow uploads to channel_id'],
    [413, 'Upload-Length above Tus-Max-Size'],
    [429, 'Too many creations in the window (Retry-After), or too many open uploads'],
    [460, 'Creation with upload: the body does not match Upload-Checksum'],
    [502, 'Storage did not take the bytes'],
  )
  async create(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentUser() user: AuthUser,
  ): Promise<TusUploadDto> {
    const body = hasTusBody(req) ? tusBody(req, reply, this.config.http.bodyIdleTimeoutMs) : undefined;
    let upload: TusUpload;
    let checksum: UploadChecksum | undefined;
    try {
      refuseConcatenation(req);
      checksum = checksumOf(req);
      const metadata = header(req, 'upload-metadata') ?? '';
      const length = parseByteCount('Upload-Length', header(req, 'upload-length'));
      const { channelId, file } = await tusCreation(length, parseUploadMetadata(metadata));
      upload = await this.createTusUpload.execute({ uploader: user, channelId, file, metadata });
    } catch (error) {
      await body?.discard?.();
      throw error;
    }
    void reply.header('location', `${this.config.http.publicUrl}${TUS_PATH}/${upload.uploadId}`);
    if (body)
      upload = await this.writeTusUpload.execute({
        uploadId: upload.uploadId,
        ownerId: user.id,
        offset: 0,
        body,
        checksum,
        requestId: req.id,
      });
    uploadHeaders(reply, upload);
    return toTusUploadDto(upload);
  }

  @Head(':uploadId')
  @ApiUploadIdParam()
  @HttpCode(200)
  @ApiOperation({ summary: 'tus: the offset to resume from, and the length, metadata and expiry of the upload' })
  @RESUMABLE
  @ApiResponse({
    status: 200,
    description: 'No body',
    headers: {
      ...OFFSET_HEADER,
      ...EXPIRES_HEADER,
      'Upload-Length': { description: 'File size in bytes', schema: { type: 'integer' } },
      'Upload-Metadata': { description: 'As the creation sent it', schema: { type: 'string' } },
    },
  })
  @ApiErrors([400, 'uploadId is not a UUID'], [404, 'Unknown uploadId'], [410, 'Upload expired or terminated'])
  async head(
    @Param('uploadId', ParseUuid) uploadId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentUser() user: AuthUser,
  ): Promise<void> {
    const upload = await this.readTusUpload.execute({ uploadId, ownerId: user.id });
    uploadHeaders(reply, upload);
    void reply.header('upload-length', String(upload.length));
    if (upload.metadata !== '') void reply.header('upload-metadata', upload.metadata);
  }

  @Patch(':uploadId')
  @ApiUploadIdParam()
  @HttpCode(204)
  @ApiOperation({
    summary:
      'tus: append the body at Upload-Offset. Any length; the last byte completes the upload (video and processing).',
  })
  @RESUMABLE
  @ApiHeader({ name: 'Upload-Offset', required: true, description: "The upload's offset (HEAD tells)" })
  @ApiHeader({
    name: 'Upload-Checksum',
    required: false,
    description: '"<sha1|sha256|md5> <base64 digest>" of the body',
  })
  @ApiConsumes('application/offset+octet-stream')
  @BYTES_BODY
  @ApiResponse({
    status: 204,
    description: 'Stored; Upload-Offset is the new offset',
    headers: { ...OFFSET_HEADER, ...EXPIRES_HEADER },
  })
  @ApiErrors(
    [400, 'uploadId not a UUID, Upload-Offset missing or malformed, Upload-Checksum malformed or of another algorithm'],
    [404, 'Unknown uploadId'],
    [408, 'The body sent nothing for HTTP_BODY_IDLE_TIMEOUT_MS; what arrived is kept'],
    [409, 'Upload-Offset is not the upload offset (error.details.offset), or the upload is completed'],
    [410, 'Upload expired or terminated'],
    [413, 'The body goes past Upload-Length'],
    [415, 'Content-Type is not application/offset+octet-stream'],
    [423, 'Another PATCH of this upload is still being written'],
    [460, 'The body does not match Upload-Checksum; nothing of it is kept'],
    [502, 'Storage did not take the bytes; the offset stays where it was durable'],
  )
  async patch(
    @Param('uploadId', ParseUuid) uploadId: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentUser() user: AuthUser,
  ): Promise<void> {
    const offset = parseByteCount('Upload-Offset', header(req, 'upload-offset'));
    const checksum = checksumOf(req);
    const body = tusBody(req, reply, this.config.http.bodyIdleTimeoutMs);
    const command = { uploadId, ownerId: user.id, offset, body, checksum, requestId: req.id };
    uploadHeaders(reply, await this.writeTusUpload.execute(command));
  }

  @Delete(':uploadId')
  @ApiUploadIdParam()
  @HttpCode(204)
  @ApiOperation({ summary: 'tus termination: the upload and what it stored go; later requests answer 410' })
  @RESUMABLE
  @ApiResponse({ status: 204, description: 'Terminated' })
  @ApiErrors(
    [400, 'uploadId is not a UUID'],
    [404, 'Unknown uploadId'],
    [409, 'Upload already completed'],
    [410, 'Upload expired or terminated'],
  )
  async terminate(@Param('uploadId', ParseUuid) uploadId: string, @CurrentUser() user: AuthUser): Promise<void> {
    await this.terminateTusUpload.execute({ uploadId, ownerId: user.id });
  }
}

/** Upload-Checksum, if sent (checksum extension); 400 when malformed or of another algorithm. */
function checksumOf(req: FastifyRequest): UploadChecksum | undefined {
  const value = header(req, 'upload-checksum');
  return value === undefined ? undefined : parseUploadChecksum(value);
}

function header(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Upload-Offset and Upload-Expires (expiration extension: on creation and PATCH answers, and HEAD's). */
function uploadHeaders(reply: FastifyReply, upload: TusUpload): void {
  void reply.header('upload-offset', String(upload.offset));
  if (upload.expiresAt) void reply.header('upload-expires', formatUploadExpires(upload.expiresAt));
}

/**
 * The concatenation extension is not offered (Tus-Extension does not list it): a partial or final upload
 * (`Upload-Concat`, what tus-js-client's parallelUploads sends) is refused before anything is made, rather
 * than taken as a whole file of its own.
 */
function refuseConcatenation(req: FastifyRequest): void {
  const concat = header(req, 'upload-concat');
  if (concat === undefined) return;
  throw validationFailed([
    {
      field: 'Upload-Concat',
      problems: [
        'this server does not offer the concatenation extension: send the file as one upload (no parallelUploads)',
      ],
    },
  ]);
}
