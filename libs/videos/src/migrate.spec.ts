import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { adminUrl, databaseUrl } from '../../../test/support/global-setup.js';
import { MIGRATIONS, videosDataSourceOptions } from './data-source.js';
import { migrateLocked } from './migrate.js';

describe('migrateLocked', () => {
  const database = `reelay_m_${randomBytes(5).toString('hex')}`;
  const admin = (sql: string) =>
    (async () => {
      const client = new pg.Client({ connectionString: adminUrl() });
      await client.connect();
      await client.query(sql);
      await client.end();
    })();
  beforeAll(() => admin(`CREATE DATABASE ${database}`));
  afterAll(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));

  it('applies each migration once when three instances start on an empty database at the same time', async () => {
    const instances = await Promise.all(
      [1, 2, 3].map(() => new DataSource(videosDataSourceOptions(databaseUrl(database), false)).initialize()),
    );
    try {
      const applied = await Promise.all(instances.map((db) => migrateLocked(db)));
      expect(applied.map((a) => a.length).sort()).toEqual([0, 0, MIGRATIONS.length]);
      const rows = await instances[0].query<Array<{ name: string }>>('SELECT name FROM migrations ORDER BY id');
      expect(rows).toHaveLength(MIGRATIONS.length);
      expect(await instances[0].query('SELECT count(*)::int AS n FROM videos')).toEqual([{ n: 0 }]);
    } finally {
      await Promise.all(instances.map((db) => db.destroy()));
    }
  });
});
