/**
 * Signs the part URLs of one multipart upload from one URL that the AWS SDK signed.
 *
 * The SDK's getSignedUrl runs its whole middleware stack for every URL (endpoint resolution, a new
 * signer that derives its signing key again, serialization); an init answers up to 10,000 part URLs
 * per file (BENCHMARKS.md has the cost of both ways). Part URLs of one upload differ only in
 * partNumber and the signed Content-Length, so the SDK signs one (the template) and this class signs
 * the others with SigV4's query-string rules (AWS Signature Version 4, "Authenticating Requests: Using
 * Query Parameters"), keeping the template's host, path, date, scope, expiry and every other query
 * parameter (a session token included).
 *
 * It never guesses: `from` first recomputes the template's own signature and refuses a template it
 * cannot reproduce exactly (another algorithm, a signed header it does not know, an SDK that
 * canonicalizes differently). The caller then signs every URL with the SDK.
 *
 * A template also serves other uploads signed in the same second (`forUpload`): their URLs differ
 * from it only in the object key's path and the uploadId value, which it encodes as the SDK does.
 */
import { createHmac, hash } from 'node:crypto';
import type { PartToSign } from './object-storage.js';

/** The headers a part URL may sign: their values are known (host from the URL, the part's length). */
const KNOWN_HEADERS = new Set(['host', 'content-length']);
const URL_PARTS = /^(https?:\/\/)([^/?#]+)([^?#]*)\?([^#]*)$/;

/**
 * SigV4 strings of one upload's part URLs with the part number and the length left out: the URL is
 * `urlHead + partNumber + urlTail + signature`, the canonical request `canonicalHead + partNumber +
 * canonicalMid + (contentLength when it is signed) + canonicalTail`.
 */
interface PartUrlSignerState {
  urlHead: string;
  urlTail: string;
  canonicalHead: string;
  canonicalMid: string;
  signsLength: boolean;
  canonicalTail: string;
  stringToSignHead: string;
  signingKey: Uint8Array;
}

/** A template URL taken apart, without its signature: query parameters decoded, the path as sent. */
interface Template {
  scheme: string;
  host: string;
  path: string;
  params: ReadonlyMap<string, string>;
  /** The object key the URL's path ends with. */
  key: string;
}

/** SHA-256's block size: an HMAC key up to this long is padded, never hashed (RFC 2104). */
const BLOCK = 64;

export class PartUrlSigner {
  /**
   * HMAC-SHA256 of the string to sign, as RFC 2104 defines it: SHA-256((K ^ opad) || SHA-256((K ^ ipad) ||
   * message)), with node:crypto's one-shot `hash` on buffers that hold the padded key and every
   * constant byte already, instead of a `createHmac` object that pads the key again for every URL.
   * `inner` is the ipad-key, then stringToSignHead, then the 64 hex characters of the canonical
   * request's hash; `outer` is the opad-key, then the 32 bytes of the inner hash.
   */
  private readonly inner: Buffer;
  private readonly outer = Buffer.alloc(BLOCK + 32);
  private readonly innerDigestAt: number;
  private constructor(
    private readonly state: Readonly<PartUrlSignerState>,
    /** The parsed template, for `forUpload`. */
    private readonly template: Template,
  ) {
    const key = state.signingKey;
    if (key.length > BLOCK) throw new RangeError('a SigV4 signing key is 32 bytes');
    this.innerDigestAt = BLOCK + Buffer.byteLength(state.stringToSignHead);
    this.inner = Buffer.alloc(this.innerDigestAt + 64);
    for (let i = 0; i < BLOCK; i++) {
      this.inner[i] = (key[i] ?? 0) ^ 0x36;
      this.outer[i] = (key[i] ?? 0) ^ 0x5c;
    }
    this.inner.write(state.stringToSignHead, BLOCK);
  }

  /**
   * A signer for the parts of the template's upload, or null when the template is not reproducible.
   * `template.key` is the object key the SDK signed it for; `contentLength` the length it signed.
   */
  static from(
    template: { url: string; key: string; contentLength: number },
    secretAccessKey: string,
  ): PartUrlSigner | null {
    const match = URL_PARTS.exec(template.url);
    if (!match) return null;
    const [, scheme, host, path, rawQuery] = match;
    const params = new Map<string, string>();
    for (const pair of rawQuery.split('&')) {
      const eq = pair.indexOf('=');
      const [name, value] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
      params.set(decode(name), decode(value));
    }
    const signature = params.get('X-Amz-Signature');
    const credential = params.get('X-Amz-Credential')?.split('/');
    const date = params.get('X-Amz-Date');
    const signedHeaders = params.get('X-Amz-SignedHeaders')?.split(';');
    const partNumber = Number(params.get('partNumber'));
    if (
      params.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' ||
      !signature ||
      !date ||
      !signedHeaders ||
      !Number.isSafeInteger(partNumber)
    )
      return null;
    if (
      credential?.length !== 5 ||
      credential[4] !== 'aws4_request' ||
      !signedHeaders.every((h) => KNOWN_HEADERS.has(h))
    )
      return null;
    params.delete('X-Amz-Signature');
    const [, day, region, service] = credential;
    const signingKey = [day, region, service, 'aws4_request'].reduce<Buffer>(
      (key, part) => hmac(key, part),
      Buffer.from(`AWS4${secretAccessKey}`),
    );
    const signer = PartUrlSigner.build({ scheme, host, path, params, key: template.key }, signingKey);
    return signer.signature(partNumber, template.contentLength) === signature ? signer : null;
  }

  /**
   * The signer of another upload's parts, with this one's credentials, date and expiry: the same URLs
   * but for the object key's part of the path and the uploadId. Null when this signer cannot tell where
   * its key is in its path (a path that does not end with the key).
   */
  forUpload(key: string, multipartUploadId: string): PartUrlSigner | null {
    const template = this.template;
    const keyPath = `/${encodeKey(template.key)}`;
    if (!template.path.endsWith(keyPath) || !template.params.has('uploadId')) return null;
    const path = `${template.path.slice(0, -keyPath.length)}/${encodeKey(key)}`;
    return PartUrlSigner.build(
      { ...template, path, key, params: new Map(template.params).set('uploadId', multipartUploadId) },
      this.state.signingKey,
    );
  }

  /** The X-Amz-Date its URLs carry (as 20260301T123456Z); their expiry counts from it. */
  get date(): string {
    return this.state.stringToSignHead.split('\n')[1];
  }

  /** The strings of the URLs of one upload's parts, from its parsed template (all but the signature). */
  private static build(template: Template, signingKey: Uint8Array): PartUrlSigner {
    const { scheme, host, path, params } = template;
    const signedHeaders = params.get('X-Amz-SignedHeaders')!.split(';');
    const [, day, region, service] = params.get('X-Amz-Credential')!.split('/');
    const sorted = [...params]
      .map(([name, value]) => [encode(name), encode(value)])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const at = sorted.findIndex(([name]) => name === 'partNumber');
    const query = (entries: string[][]) => entries.map(([name, value]) => `${name}=${value}`).join('&');
    const before = query(sorted.slice(0, at));
    const after = query(sorted.slice(at + 1));
    const queryHead = before ? `${before}&partNumber=` : 'partNumber=';
    const queryTail = after ? `&${after}` : '';
    // Canonical headers are sorted by name; content-length sorts before host.
    const lengthAt = signedHeaders.indexOf('content-length');
    const header = (name: string) => `${name}:${name === 'host' ? host : ''}\n`;
    const headersBefore =
      signedHeaders
        .slice(0, lengthAt < 0 ? undefined : lengthAt)
        .map(header)
        .join('') + (lengthAt < 0 ? '' : 'content-length:');
    const headersAfter =
      (lengthAt < 0 ? '' : '\n') +
      signedHeaders
        .slice(lengthAt < 0 ? signedHeaders.length : lengthAt + 1)
        .map(header)
        .join('');
    return new PartUrlSigner(
      {
        urlHead: `${scheme}${host}${path}?${queryHead}`,
        urlTail: `${queryTail}&X-Amz-Signature=`,
        canonicalHead: `PUT\n${path}\n${queryHead}`,
        canonicalMid: `${queryTail}\n${headersBefore}`,
        signsLength: lengthAt >= 0,
        canonicalTail: `${headersAfter}\n${signedHeaders.join(';')}\n${params.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD'}`,
        stringToSignHead: `AWS4-HMAC-SHA256\n${params.get('X-Amz-Date')}\n${day}/${region}/${service}/aws4_request\n`,
        signingKey,
      },
      template,
    );
  }

  /** The URL that uploads part `partNumber` with exactly `contentLength` bytes. */
  sign(partNumber: number, contentLength: number): string {
    return this.state.urlHead + partNumber + this.state.urlTail + this.signature(partNumber, contentLength);
  }

  /** The URLs of these parts, in their order. */
  signAll(parts: readonly Required<PartToSign>[]): string[] {
    return parts.map((p) => this.sign(p.partNumber, p.contentLength));
  }

  private signature(partNumber: number, contentLength: number): string {
    const s = this.state;
    const canonical =
      s.canonicalHead + partNumber + s.canonicalMid + (s.signsLength ? contentLength : '') + s.canonicalTail;
    // Each digest is written into the buffer that hashes it next; 'binary' (latin1) carries the raw
    // inner digest as one char per byte, without allocating a Buffer for it.
    this.inner.write(hash('sha256', canonical), this.innerDigestAt, 'latin1');
    this.outer.write(hash('sha256', this.inner, 'binary'), BLOCK, 'latin1');
    return hash('sha256', this.outer);
  }
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** SigV4's URI encoding: RFC 3986 unreserved characters stay, everything else is %XX (upper case). */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An object key in a URL path, as the SDK writes it: each segment URI-encoded, the slashes kept. */
function encodeKey(key: string): string {
  return key.split('/').map(encode).join('/');
}

function decode(value: string): string {
  return decodeURIComponent(value);
}
