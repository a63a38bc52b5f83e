/** Stops the S3 server that global-setup started (a server that was already running is left alone). */
import { execFileSync } from 'node:child_process';

export default async function globalTeardown(): Promise<void> {
  if (process.env.REELAY_TEST_STARTED_S3 === '1' && process.env.REELAY_KEEP_S3 !== '1') {
    execFileSync('bash', ['scripts/s3-server.sh', 'down'], { stdio: 'inherit' });
  }
}
