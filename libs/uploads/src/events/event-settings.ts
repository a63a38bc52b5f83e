/**
 * The settings of live events and webhooks. The shape is declared here; #config builds its `events`
 * settings to fit it, and UploadsModule provides them under EVENT_SETTINGS.
 */
export interface EventSettings {
  /** Prefix of the event logs' Redis keys (REDIS_PREFIX). */
  keyPrefix: string;
  /** Lifetime of a token minted for a batch's event stream (seconds). */
  tokenTtlSeconds: number;
  /** An open event stream sends a comment line this often (milliseconds). */
  heartbeatMs: number;
  /** How often an open event stream reads new events from Redis (milliseconds). */
  pollIntervalMs: number;
  /** A batch's events stay readable this long after the last one (seconds). */
  retentionSeconds: number;
  /** Events kept per batch, about: the oldest are trimmed first. */
  maxPerBatch: number;
  webhooks: {
    /** Attempts of one delivery, the first included. */
    attempts: number;
    /** Wait before the second attempt (milliseconds); it doubles for each further one. */
    backoffMs: number;
    /** An endpoint that has not answered in this time has failed the attempt (milliseconds). */
    timeoutMs: number;
    /** Deliver to localhost and private networks too (webhook-address.ts); refused by default. */
    allowPrivateAddresses: boolean;
  };
}

export const EVENT_SETTINGS = Symbol('EVENT_SETTINGS');
