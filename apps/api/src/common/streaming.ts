const STREAMING_CONTENT_TYPE = /^(application\/octet-stream|application\/offset\+octet-stream|multipart\/form-data)/i;

/** Whether a request's Content-Type is one whose body the chunk or tus routes stream; no other route takes them. */
export function streamsBody(contentType: string | undefined): boolean {
  return contentType !== undefined && STREAMING_CONTENT_TYPE.test(contentType);
}
