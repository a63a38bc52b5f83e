/**
 * ObjectStorage that times every call of the driver it wraps and counts its errors, by operation
 * (reelay_storage_operation_duration_seconds, reelay_storage_errors_total). StorageModule wraps the
 * driver once, so that every caller (use cases, readiness, the worker) is measured. A call's time runs
 * until its promise settles: for uploadPart the whole body streamed, for readRange until the stream
 * opens. Nothing else changes: the same answers, the same errors.
 */
import type { Readable } from 'node:stream';
import { storageDuration, storageErrors } from '#observability';
import {
  type CompletedPart,
  type MultipartUploadInfo,
  type ObjectHead,
  ObjectStorage,
  type PartToSign,
  type StoredPart,
} from './object-storage.js';
import { StorageError } from './storage.error.js';

export class InstrumentedObjectStorage extends ObjectStorage {
  constructor(readonly inner: ObjectStorage) {
    super();
  }

  get driver(): 'disk' | 's3' {
    return this.inner.driver;
  }

  createMultipart(key: string, contentType: string): Promise<string> {
    return this.measure('createMultipart', () => this.inner.createMultipart(key, contentType));
  }

  presignParts(key: string, id: string, parts: readonly PartToSign[], expiresIn: number): Promise<string[]> {
    return this.measure('presignParts', () => this.inner.presignParts(key, id, parts, expiresIn));
  }

  presignGet(key: string, expiresIn: number): Promise<string> {
    return this.measure('presignGet', () => this.inner.presignGet(key, expiresIn));
  }

  uploadPart(key: string, id: string, partNumber: number, body: Readable, length: number): Promise<StoredPart> {
    return this.measure('uploadPart', () => this.inner.uploadPart(key, id, partNumber, body, length));
  }

  putObject(key: string, body: Readable, contentLength: number, contentType?: string): Promise<ObjectHead> {
    return this.measure('putObject', () => this.inner.putObject(key, body, contentLength, contentType));
  }

  listParts(key: string, multipartUploadId: string): Promise<StoredPart[]> {
    return this.measure('listParts', () => this.inner.listParts(key, multipartUploadId));
  }

  completeMultipart(key: string, multipartUploadId: string, parts: CompletedPart[]): Promise<void> {
    return this.measure('completeMultipart', () => this.inner.completeMultipart(key, multipartUploadId, parts));
  }

  listMultipartUploads(prefix: string): Promise<MultipartUploadInfo[]> {
    return this.measure('listMultipartUploads', () => this.inner.listMultipartUploads(prefix));
  }

  abortMultipart(key: string, multipartUploadId: string): Promise<void> {
    return this.measure('abortMultipart', () => this.inner.abortMultipart(key, multipartUploadId));
  }

  head(key: string): Promise<ObjectHead | null> {
    return this.measure('head', () => this.inner.head(key));
  }

  readRange(key: string, start: number, end?: number): Promise<Readable> {
    return this.measure('readRange', () => this.inner.readRange(key, start, end));
  }

  delete(key: string): Promise<void> {
    return this.measure('delete', () => this.inner.delete(key));
  }

  private async measure<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const end = storageDuration.startTimer({ operation });
    try {
      const result = await call();
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      storageErrors.inc({ operation, code: error instanceof StorageError ? error.code : 'OTHER' });
      throw error;
    }
  }
}
