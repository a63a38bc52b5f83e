/**
 * docker-compose.yml starts (no Docker engine runs here, so the file is read as compose reads it): its
 * images are pinned, the settings production requires come from .env (.env.example), the API has a
 * healthcheck the worker waits for, and the API and the worker start from the built code with exactly
 * the environment the file gives them, its host names, credentials and port replaced by this test's own
 * PostgreSQL, Redis and radosgw. Either refusing its configuration fails the test.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { freePort, startStack, type Stack } from './support/stack.js';

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string | number | boolean>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

/** compose's interpolation of `${NAME}`, `${NAME:-default}` and `${NAME:?error}` from `vars`. */
function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_match, name: string, kind?: string, rest?: string) => {
    const value = vars[name];
    if (value !== undefined && value !== '') return value;
    if (kind === '?') throw new Error(`compose refuses to start: ${rest}`);
    return kind === '-' ? (rest ?? '') : '';
  });
}

/** KEY=VALUE lines, as compose reads .env. */
function dotenv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

function services(vars: Record<string, string>): Record<string, ComposeService> {
  const text = interpolate(readFileSync('docker-compose.yml', 'utf8'), vars);
  return (parse(text, { merge: true }) as { services: Record<string, ComposeService> }).services;
}

const envExample = dotenv(readFileSync('.env.example', 'utf8'));

describe('docker-compose.yml', () => {
  it('needs the settings production requires, and .env.example gives them', () => {
    expect(() => services({})).toThrow(/compose refuses to start: set AUTH_JWT_SECRET/);
    expect(envExample.AUTH_JWT_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(services(envExample).api.environment?.AUTH_JWT_SECRET).toBe(envExample.AUTH_JWT_SECRET);
  });

  it('pins every image, checks the API is healthy, and starts the worker only then', () => {
    const all = services(envExample);
    for (const [name, service] of Object.entries(all)) {
      if (service.build) continue;
      expect([name, service.image]).toEqual([name, expect.stringMatching(/^[\w./-]+:(?!latest$)[\w.-]+$/)]);
    }
    expect(all.api.healthcheck?.test.join(' ')).toMatch(/\/health/);
    expect(all.worker.depends_on?.api).toEqual({ condition: 'service_healthy' });
    expect(all.worker.healthcheck?.test.join(' ')).toContain(
      `127.0.0.1:${all.worker.environment?.WORKER_HEALTH_PORT}/health/ready`,
    );
  });

  describe('its API and worker, from the built code with its environment', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ driver: 's3' });
    });
    afterAll(async () => stack?.stop());

    /** The service's environment, its infrastructure replaced by the stack's; every other setting as is. */
    function localEnv(service: ComposeService): Record<string, string> {
      const compose = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
      const local: Record<string, string> = {};
      for (const name of [
        'DATABASE_URL',
        'REDIS_URL',
        'S3_ENDPOINT',
        'S3_ACCESS_KEY_ID',
        'S3_SECRET_ACCESS_KEY',
        'S3_BUCKET',
      ])
        local[name] = stack.env[name];
      if (compose.S3_PUBLIC_ENDPOINT) local.S3_PUBLIC_ENDPOINT = stack.env.S3_ENDPOINT;
      // The shared Redis of this machine: the deployment gets a key prefix of its own.
      local.REDIS_PREFIX = stack.redisPrefix;
      // Where it listens is the test's too: a port of its own (startApi sets PORT and PUBLIC_URL).
      const settings = Object.fromEntries(
        Object.entries(compose).filter(([name]) => name !== 'PORT' && name !== 'PUBLIC_URL'),
      );
      // Settings the stack gives its own apps but compose does not are unset ("" means unset).
      const unset = Object.fromEntries(
        Object.keys(stack.env)
          .filter((name) => !['PORT', 'PUBLIC_URL', 'HOST'].includes(name))
          .map((name) => [name, '']),
      );
      return { ...unset, ...settings, ...local };
    }

    it('the API starts and answers; the worker starts beside it', async () => {
      const all = services(envExample);
      // Its metrics listener too takes a port of the test's choice.
      expect(all.api.environment?.METRICS_PORT).toBeDefined();
      const metricsPort = await freePort();
      const api = await stack.startApi({ ...localEnv(all.api), METRICS_PORT: String(metricsPort) });
      const health = await fetch(`${api.url}/health`);
      expect(health.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(200);
      expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
      // The worker's health port is the test's choice too; its healthcheck probes it as compose would.
      const healthPort = await freePort();
      const worker = await stack.startWorker({ ...localEnv(all.worker), WORKER_HEALTH_PORT: String(healthPort) });
      expect(worker.exitCode).toBeNull();
      expect((await fetch(`http://127.0.0.1:${healthPort}/health/ready`)).status).toBe(200);
      expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${healthPort}/metrics`)).status).toBe(200);
      expect(stack.logs()).not.toMatch(/Invalid configuration/);
    });
  });
});
