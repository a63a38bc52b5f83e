/**
 * A synchronous result as a promise, for a driver whose work for an asynchronous ObjectStorage call is
 * synchronous (signing a URL): what it throws becomes the promise's rejection, as in an async call.
 */
export function promised<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}
