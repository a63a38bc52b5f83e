/** Creates the database if needed and applies pending migrations (npm run migrate). */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '#config';
import { ensureDatabase, migrateLocked, videosDataSourceOptions } from '#videos';

const config = loadConfig();
await ensureDatabase(config.database.url);
const db = new DataSource(videosDataSourceOptions(config.database.url, false));
await db.initialize();
const applied = await migrateLocked(db);
await db.destroy();
console.log(applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'database is up to date');
