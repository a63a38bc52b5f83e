/** The one shape of every answer: { success: true, data } or { success: false, error }. */
export interface ErrorBody {
  code: string;
  message: string;
  details: unknown;
}

export type Envelope<T> = { success: true; data: T } | { success: false; error: ErrorBody };

export const ok = <T>(data: T): Envelope<T> => ({ success: true, data });
export const fail = (code: string, message: string, details: unknown = null): Envelope<never> => ({
  success: false,
  error: { code, message, details },
});
