/**
 * A whole-file SHA-256 a client declares (at init, or at completion) so that the worker checks the stored
 * object against it: 64 lowercase hex characters, as `sha256sum` prints it.
 */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
