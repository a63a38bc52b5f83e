/**
 * Writes the OpenAPI document the app generates to openapi.json (npm run openapi), so that client
 * generators can use it without running the API. A test fails when the committed file is stale.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '#config';
import { ensureDatabase } from '#videos';
import { createApp, openApiDocument } from '../apps/api/src/bootstrap.js';

const config = loadConfig({ ...process.env, LOG_LEVEL: 'error', DATABASE_MIGRATE: 'false' });
await ensureDatabase(config.database.url);
const app = await createApp(config);
await app.init();
writeFileSync('openapi.json', JSON.stringify(openApiDocument(app), null, 2) + '\n');
await app.close();
console.log('wrote openapi.json');
