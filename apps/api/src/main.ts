/** The HTTP API. Configuration is validated before anything starts; a bad setting stops it with its name. */
import 'reflect-metadata';
import { loadConfig } from '#config';
import { createApp } from './bootstrap.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.http.port, config.http.host);
  const { host, port, publicUrl } = config.http;
  console.log(
    `reelay api listening on ${host}:${port}, public URL ${publicUrl} (storage: ${config.storage.driver}, docs: ${publicUrl}/docs)`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
