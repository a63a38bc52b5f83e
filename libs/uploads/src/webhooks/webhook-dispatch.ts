/**
 * Where a webhook event goes to the owner's endpoints: one delivery job per endpoint that takes the
 * event's type. A port, so that the use cases can be tested without Redis; BullWebhookDispatch is the
 * one the apps use. Retries and their backoff are the jobs' (WEBHOOK_ATTEMPTS, WEBHOOK_BACKOFF_MS).
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { WebhookRepository } from '#videos';
import { type BatchEvent, type WebhookEventType, webhookMessageId } from '../events/batch-event.js';
import { EVENT_SETTINGS, type EventSettings } from '../events/event-settings.js';
import { WEBHOOK_DELIVERY_QUEUE, webhookJobId, type WebhookJobData } from '../jobs.js';

export abstract class WebhookDispatch {
  /** Queues one delivery of `event` to each endpoint of `ownerId` that receives its type. */
  abstract dispatch(ownerId: string, event: BatchEvent & { type: WebhookEventType }, at: string): Promise<void>;
}

@Injectable()
export class BullWebhookDispatch extends WebhookDispatch {
  constructor(
    @Inject(EVENT_SETTINGS) private readonly settings: EventSettings,
    @InjectQueue(WEBHOOK_DELIVERY_QUEUE) private readonly queue: Queue<WebhookJobData>,
    private readonly webhooks: WebhookRepository,
  ) {
    super();
  }

  async dispatch(ownerId: string, event: BatchEvent & { type: WebhookEventType }, at: string): Promise<void> {
    const endpoints = await this.webhooks.endpointsFor(ownerId, event.type);
    if (endpoints.length === 0) return;
    const messageId = webhookMessageId(event);
    const { attempts, backoffMs } = this.settings.webhooks;
    await this.queue.addBulk(
      endpoints.map((endpoint) => ({
        name: event.type,
        data: { endpointId: endpoint.id, messageId, at, event },
        opts: {
          jobId: webhookJobId(endpoint.id, messageId),
          attempts,
          backoff: { type: 'exponential', delay: backoffMs },
        },
      })),
    );
  }
}
