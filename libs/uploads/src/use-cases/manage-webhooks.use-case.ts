/**
 * An owner's webhook endpoints (POST/GET/DELETE /api/v1/webhooks) and the record of their deliveries
 * (GET /api/v1/webhooks/:id/deliveries). Each endpoint receives the owner's events of the types it
 * names, signed with its own secret in the Standard Webhooks format (https://www.standardwebhooks.com):
 * `whsec_` and 24 random bytes in base64, answered once, at creation.
 */
import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { type WebhookDelivery, type WebhookEndpoint, WebhookRepository } from '#videos';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../events/batch-event.js';
import { EVENT_SETTINGS, type EventSettings } from '../events/event-settings.js';
import { UploadError, UploadErrorCode, validationFailed } from '../upload-error.js';
import { privateHostOf } from '../webhooks/webhook-address.js';

/** Endpoints one owner may have. */
export const MAX_WEBHOOKS_PER_OWNER = 20;

export interface CreateWebhookCommand {
  ownerId: string;
  /** http or https. */
  url: string;
  /** The event types to receive; every webhook type when absent. */
  events?: WebhookEventType[];
  description?: string;
}

export type CreatedWebhook = WebhookEndpoint;

@Injectable()
export class ManageWebhooks {
  constructor(
    private readonly repository: WebhookRepository,
    @Inject(EVENT_SETTINGS) private readonly settings: EventSettings,
  ) {}

  /**
   * The new endpoint, its secret included. Throws VALIDATION_FAILED for a URL that is not http(s), one on
   * localhost or a private address written out (unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES; a name that resolves
   * inward is refused by the worker when it delivers), or one too many.
   */
  async create(command: CreateWebhookCommand): Promise<CreatedWebhook> {
    if (!isHttpUrl(command.url)) throw validationFailed([{ field: 'url', problems: ['url must be an http(s) URL'] }]);
    const inward = this.settings.webhooks.allowPrivateAddresses ? null : privateHostOf(command.url);
    if (inward)
      throw validationFailed([
        {
          field: 'url',
          problems: [`${inward} is localhost or a private address: webhooks are delivered to public addresses only`],
        },
      ]);
    if ((await this.repository.listEndpoints(command.ownerId)).length >= MAX_WEBHOOKS_PER_OWNER)
      throw validationFailed([{ field: 'url', problems: [`at most ${MAX_WEBHOOKS_PER_OWNER} endpoints per owner`] }]);
    return this.repository.createEndpoint({
      id: randomUUID(),
      ownerId: command.ownerId,
      url: command.url,
      secret: `whsec_${randomBytes(24).toString('base64')}`,
      events: [...new Set(command.events ?? WEBHOOK_EVENT_TYPES)],
      description: command.description ?? null,
    });
  }

  list(ownerId: string): Promise<WebhookEndpoint[]> {
    return this.repository.listEndpoints(ownerId);
  }

  /** Throws WEBHOOK_NOT_FOUND for an endpoint that is unknown or someone else's. */
  async remove(id: string, ownerId: string): Promise<void> {
    if (!(await this.repository.deleteEndpoint(id, ownerId))) throw webhookNotFound(id);
  }

  /** The endpoint's latest delivery attempts, newest first. Throws WEBHOOK_NOT_FOUND as remove. */
  async deliveries(id: string, ownerId: string): Promise<WebhookDelivery[]> {
    if (!(await this.repository.findOwnedEndpoint(id, ownerId))) throw webhookNotFound(id);
    return this.repository.deliveries(id);
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function webhookNotFound(id: string): UploadError {
  return new UploadError(UploadErrorCode.WebhookNotFound, `Webhook ${id} not found`, { webhookId: id });
}
