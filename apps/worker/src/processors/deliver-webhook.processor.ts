/**
 * webhook-delivery: one job per message and endpoint (job id `webhook-<endpointId>-<messageId>`). POSTs
 * the event to the endpoint in the Standard Webhooks format (https://www.standardwebhooks.com): the body
 * `{ type, timestamp, data }`, and the `webhook-id`, `webhook-timestamp` and `webhook-signature` headers,
 * signed by the `standardwebhooks` package with the endpoint's secret. An answer other than 2xx, no
 * answer, or none within WEBHOOK_TIMEOUT_MS fails the attempt: BullMQ tries again with exponential
 * backoff (WEBHOOK_ATTEMPTS, WEBHOOK_BACKOFF_MS). Every attempt is recorded (webhook_deliveries), for the
 * owner to read. An endpoint deleted meanwhile gets nothing more. Unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES, an
 * endpoint on localhost or a private network is not called (webhook-address.ts): the attempt fails, saying so.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { APP_CONFIG, type AppConfig } from '#config';
import { Agent, fetch } from 'undici';
import { privateHostOf, publicOnlyLookup, WEBHOOK_DELIVERY_QUEUE, type WebhookJobData } from '#uploads';
import { type WebhookEndpoint, WebhookRepository } from '#videos';
import type { JobHandler } from '../job-handler.js';

export interface DeliveryResult {
  /** The endpoint's status, or null when it was deleted before the delivery. */
  statusCode: number | null;
}

/** The answer's body is not kept; reading a little of it lets the connection be reused. */
const USER_AGENT = 'Reelay-Webhooks/1.0';

@Injectable()
export class DeliverWebhookProcessor implements JobHandler<WebhookJobData, DeliveryResult>, OnApplicationShutdown {
  readonly queue = WEBHOOK_DELIVERY_QUEUE;
  private readonly logger = new Logger(DeliverWebhookProcessor.name);
  /** Connections that refuse names resolving to a private address, unless those are allowed. */
  private readonly dispatcher: Agent;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly webhooks: WebhookRepository,
  ) {
    const open = config.events.webhooks.allowPrivateAddresses;
    this.dispatcher = new Agent(open ? {} : { connect: { lookup: publicOnlyLookup } });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.close();
  }

  async handle(job: Job<WebhookJobData>, _token: string | undefined, signal: AbortSignal): Promise<DeliveryResult> {
    const endpoint = await this.webhooks.findEndpoint(job.data.endpointId);
    if (!endpoint) return { statusCode: null };
    const attemptedAt = new Date();
    const outcome = await this.post(endpoint, job.data, attemptedAt, signal);
    await this.webhooks.recordDelivery({
      id: randomUUID(),
      endpointId: endpoint.id,
      messageId: job.data.messageId,
      eventType: job.data.event.type,
      attempt: job.attemptsMade + 1,
      statusCode: outcome.statusCode,
      error: outcome.error,
      succeeded: outcome.error === null,
      durationMs: Date.now() - attemptedAt.getTime(),
      attemptedAt,
    });
    if (outcome.error !== null) throw new Error(`webhook ${job.data.messageId} to ${endpoint.id}: ${outcome.error}`);
    return { statusCode: outcome.statusCode };
  }

  private async post(
    endpoint: WebhookEndpoint,
    { messageId, at, event }: WebhookJobData,
    now: Date,
    signal: AbortSignal,
  ): Promise<{ statusCode: number | null; error: string | null }> {
    const payload = JSON.stringify({ type: event.type, timestamp: at, data: event });
    const headers = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(endpoint.secret).sign(messageId, now, payload),
    };
    const timeoutMs = this.config.events.webhooks.timeoutMs;
    const inward = this.config.events.webhooks.allowPrivateAddresses ? null : privateHostOf(endpoint.url);
    if (inward) return { statusCode: null, error: `${inward} is a private address: not delivered` };
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers,
        body: payload,
        redirect: 'manual',
        dispatcher: this.dispatcher,
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
      await res.body?.cancel();
      const ok = res.status >= 200 && res.status < 300;
      return { statusCode: res.status, error: ok ? null : `the endpoint answered ${res.status}` };
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describe(error);
      this.logger.warn(`webhook ${messageId} to ${endpoint.url}: ${reason}`);
      return { statusCode: null, error: reason };
    }
  }
}

/** fetch's "fetch failed" says little; its cause (ECONNREFUSED, ENOTFOUND, a private address) says why. */
function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'EPRIVATEADDRESS') return cause.message ?? cause.code;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
