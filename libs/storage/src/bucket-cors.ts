/**
 * The bucket CORS rule browsers need to PUT parts straight to storage from the frontend's origin and to
 * read each part's ETag (S3: PutBucketCors / GetBucketCors). Storj's gateway has no bucket CORS: it
 * answers NotImplemented and applies one global policy that allows every origin and exposes ETag.
 */
import { type CORSRule, GetBucketCorsCommand, PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';
import { errorName, httpStatusOf, toStorageError } from './s3-errors.js';

/** Browser origins allowed to reach storage: a list, or every origin. */
export type BrowserOrigins = readonly string[] | '*';

const METHODS = ['PUT', 'GET', 'HEAD'];

export function browserCorsRule(origins: BrowserOrigins): CORSRule {
  return {
    AllowedOrigins: origins === '*' ? ['*'] : [...origins],
    AllowedMethods: METHODS,
    // A browser's PUT may send Content-Type (any): the preflight asks for it.
    AllowedHeaders: ['*'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 3600,
  };
}

/**
 * Sets the bucket's CORS to browserCorsRule (it replaces any rule the bucket had). Answers false when the
 * storage has no bucket CORS (NotImplemented: its own policy serves browsers).
 */
export async function applyBrowserCors(client: S3Client, bucket: string, origins: BrowserOrigins): Promise<boolean> {
  try {
    await client.send(
      new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [browserCorsRule(origins)] } }),
    );
    return true;
  } catch (error) {
    if (notImplemented(error)) return false;
    throw toStorageError(error, 'object', `PutBucketCors ${bucket}`);
  }
}

/**
 * What the bucket's CORS lacks for browsers of these origins, one sentence each ([] when nothing);
 * null when the storage has no bucket CORS (NotImplemented: Storj's global policy serves browsers).
 */
export async function missingBrowserCors(
  client: S3Client,
  bucket: string,
  origins: BrowserOrigins,
): Promise<string[] | null> {
  let rules: CORSRule[];
  try {
    rules = (await client.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules ?? [];
  } catch (error) {
    if (notImplemented(error)) return null;
    if (errorName(error) !== 'NoSuchCORSConfiguration')
      throw toStorageError(error, 'object', `GetBucketCors ${bucket}`);
    rules = [];
  }
  if (rules.length === 0) return ['it has no CORS rule: browsers cannot PUT to its presigned URLs'];
  const missing: string[] = [];
  for (const origin of origins === '*' ? ['*'] : origins) {
    for (const method of METHODS) {
      if (!rules.some((r) => allows(r.AllowedOrigins, origin) && r.AllowedMethods?.includes(method))) {
        missing.push(`no rule allows ${method} from ${origin === '*' ? 'every origin' : origin}`);
      }
    }
    const put = rules.find((r) => allows(r.AllowedOrigins, origin) && r.AllowedMethods?.includes('PUT'));
    if (put && !put.AllowedHeaders?.some((h) => h === '*' || h.toLowerCase() === 'content-type')) {
      missing.push(
        `the PUT rule for ${origin === '*' ? 'every origin' : origin} does not allow the Content-Type header`,
      );
    }
    if (put && !put.ExposeHeaders?.some((h) => h.toLowerCase() === 'etag')) {
      missing.push(`the PUT rule for ${origin === '*' ? 'every origin' : origin} does not expose ETag`);
    }
  }
  return missing;
}

/** Whether a rule's AllowedOrigins let `origin` in ('*' stands for every origin on both sides). */
function allows(allowed: string[] | undefined, origin: string): boolean {
  return (allowed ?? []).some((a) => a === '*' || a === origin);
}

function notImplemented(error: unknown): boolean {
  return errorName(error) === 'NotImplemented' || httpStatusOf(error) === 501;
}
