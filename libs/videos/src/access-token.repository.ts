/** Data access for minted access tokens (stored as SHA-256 hashes, see AccessToken). */
import { Injectable } from '@nestjs/common';
import { DataSource, LessThan, MoreThan } from 'typeorm';
import { AccessToken, type AccessTokenPurpose } from './entities/access-token.entity.js';

@Injectable()
export class AccessTokenRepository {
  constructor(private readonly db: DataSource) {}

  async save(token: Omit<AccessToken, 'createdAt'>): Promise<void> {
    await this.db.getRepository(AccessToken).insert(token);
  }

  /** The token of this hash and purpose while it has not expired, or null. */
  findValid(tokenHash: string, purpose: AccessTokenPurpose): Promise<AccessToken | null> {
    return this.db.getRepository(AccessToken).findOneBy({ tokenHash, purpose, expiresAt: MoreThan(new Date()) });
  }

  /** Removes the tokens that expired before `before`; answers how many. */
  async deleteExpired(before = new Date()): Promise<number> {
    const { affected } = await this.db.getRepository(AccessToken).delete({ expiresAt: LessThan(before) });
    return affected ?? 0;
  }
}
