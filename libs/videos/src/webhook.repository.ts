/** Data access for webhook endpoints and the record of their deliveries. */
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WebhookDelivery } from './entities/webhook-delivery.entity.js';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity.js';

/** Deliveries answered per page, newest first. */
export const DELIVERY_PAGE = 100;

@Injectable()
export class WebhookRepository {
  constructor(private readonly db: DataSource) {}

  async createEndpoint(endpoint: Omit<WebhookEndpoint, 'createdAt'>): Promise<WebhookEndpoint> {
    await this.db.getRepository(WebhookEndpoint).insert(endpoint);
    return this.db.getRepository(WebhookEndpoint).findOneByOrFail({ id: endpoint.id });
  }

  /** The owner's endpoints, oldest first. */
  listEndpoints(ownerId: string): Promise<WebhookEndpoint[]> {
    return this.db.getRepository(WebhookEndpoint).find({ where: { ownerId }, order: { createdAt: 'ASC' } });
  }

  findEndpoint(id: string): Promise<WebhookEndpoint | null> {
    return this.db.getRepository(WebhookEndpoint).findOneBy({ id });
  }

  /** The endpoint only when it belongs to `ownerId`: to anyone else it does not exist. */
  findOwnedEndpoint(id: string, ownerId: string): Promise<WebhookEndpoint | null> {
    return this.db.getRepository(WebhookEndpoint).findOneBy({ id, ownerId });
  }

  /** The owner's endpoints that receive `eventType`. */
  endpointsFor(ownerId: string, eventType: string): Promise<WebhookEndpoint[]> {
    return this.db
      .getRepository(WebhookEndpoint)
      .createQueryBuilder('e')
      .where('e.owner_id = :ownerId AND e.events ? :eventType', { ownerId, eventType })
      .getMany();
  }

  /** Answers whether it existed (and belonged to the owner). Its deliveries go with it. */
  async deleteEndpoint(id: string, ownerId: string): Promise<boolean> {
    const { affected } = await this.db.getRepository(WebhookEndpoint).delete({ id, ownerId });
    return Boolean(affected);
  }

  async recordDelivery(delivery: WebhookDelivery): Promise<void> {
    await this.db.getRepository(WebhookDelivery).insert(delivery);
  }

  /** The endpoint's latest deliveries, newest first. */
  deliveries(endpointId: string, limit = DELIVERY_PAGE): Promise<WebhookDelivery[]> {
    return this.db
      .getRepository(WebhookDelivery)
      .find({ where: { endpointId }, order: { attemptedAt: 'DESC', attempt: 'DESC' }, take: limit });
  }
}
