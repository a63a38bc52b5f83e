/** Content types whose body the chunk route streams; no other route takes them. */
export const STREAMING_CONTENT_TYPE = /^(application\/octet-stream|multipart\/form-data)/i;
