/**
 * How the SDK sends a chunk's bytes: a PUT to a presigned URL, or a POST to the chunk route. Two
 * implementations: XHR in browsers (the only browser API that reports upload progress) and node:http
 * in Node. Both send exactly the Blob's bytes with its length as Content-Length (presigned part URLs
 * sign it) and report the bytes sent as they go.
 */
export interface SendRequest {
  method: 'PUT' | 'POST';
  url: string;
  /** The chunk: a slice of the file. */
  body: Blob;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Bytes of the body sent so far; called as they go. */
  onProgress?: (bytesSent: number) => void;
}

export interface SendResult {
  status: number;
  /** The answer's ETag header, when it has one (storage's part ETag). */
  etag?: string;
  body: string;
}

export interface Transport {
  /** Rejects only when there was no answer (network, abort); any HTTP status resolves. */
  send(request: SendRequest): Promise<SendResult>;
}

/** Network state: in browsers `navigator.onLine` and its events; always online in Node. */
export interface Connectivity {
  online(): boolean;
  /** Resolves when the network is back (at once when online). */
  whenOnline(signal?: AbortSignal): Promise<void>;
}

export const ALWAYS_ONLINE: Connectivity = { online: () => true, whenOnline: () => Promise.resolve() };
