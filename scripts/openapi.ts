/**
 * Writes the OpenAPI document the app generates to openapi.json (npm run openapi), so that client
 * generators can use it without running the API, and the client types generated from it
 * (openapi-types.ts). A test fails when either committed file is stale.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig } from '#config';
import { ensureDatabase } from '#videos';
import { createApp, openApiDocument } from '../apps/api/src/bootstrap.js';
import { CLIENT_TYPES_PATH, clientTypes } from './openapi-types.js';

const config = loadConfig({ ...process.env, LOG_LEVEL: 'error', DATABASE_MIGRATE: 'false' });
await ensureDatabase(config.database.url);
const app = await createApp(config);
await app.init();
const document = openApiDocument(app);
await app.close();
writeFileSync('openapi.json', JSON.stringify(document, null, 2) + '\n');
mkdirSync(dirname(CLIENT_TYPES_PATH), { recursive: true });
writeFileSync(CLIENT_TYPES_PATH, await clientTypes(document));
console.log(`wrote openapi.json and ${CLIENT_TYPES_PATH}`);
