import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('starts on the embedded disk driver with no settings at all', () => {
    const c = loadConfig({});
    expect(c.storage.driver).toBe('disk');
    expect(c.upload.singleUploadMax).toBe(157_286_400);
    expect(c.upload.partSize).toBe(64 * 1024 * 1024);
    expect(c.upload.maxFiles).toBe(5);
  });

  it('names every wrong or missing setting', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', STORAGE_DRIVER: 's3', DATABASE_MIGRATE: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    for (const name of ['PORT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'DATABASE_MIGRATE'])
      expect(text).toContain(name);
  });

  it('refuses a part size under the S3 minimum of 5 MiB', () => {
    expect(() => loadConfig({ UPLOAD_PART_SIZE: String(1024 * 1024) })).toThrow(/UPLOAD_PART_SIZE/);
  });

  it('requires real secrets in production, and never prints them', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /STORAGE_SIGNING_SECRET[\s\S]*AUTH_JWT_SECRET|AUTH_JWT_SECRET[\s\S]*STORAGE_SIGNING_SECRET/,
    );
    expect(
      loadConfig({ NODE_ENV: 'production', STORAGE_SIGNING_SECRET: 'x'.repeat(32), AUTH_JWT_SECRET: 'y'.repeat(32) })
        .auth.key,
    ).toBe('y'.repeat(32));
    expect(() => loadConfig({ AUTH_JWT_SECRET: 'short-secret' })).toThrow(/AUTH_JWT_SECRET.*12 characters/);
    expect(() => loadConfig({ AUTH_JWT_SECRET: 'short-secret' })).not.toThrow(/short-secret/);
  });

  it('takes an RS256 or ES256 public key instead of a secret', () => {
    expect(() => loadConfig({ AUTH_JWT_ALGORITHM: 'ES256' })).toThrow(/AUTH_JWT_PUBLIC_KEY/);
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----';
    expect(loadConfig({ AUTH_JWT_ALGORITHM: 'ES256', AUTH_JWT_PUBLIC_KEY: pem }).auth).toMatchObject({
      algorithm: 'ES256',
      key: pem,
    });
  });

  it('points PUBLIC_URL at the port the API listens on unless it is set', () => {
    expect(loadConfig({ PORT: '4100' }).http.publicUrl).toBe('http://localhost:4100');
    expect(loadConfig({ PORT: '4100', PUBLIC_URL: 'https://upload.example.com/' }).http.publicUrl).toBe(
      'https://upload.example.com',
    );
  });

  it('reads booleans as people write them', () => {
    expect(loadConfig({ DATABASE_MIGRATE: 'false' }).database.migrate).toBe(false);
    expect(loadConfig({ DATABASE_MIGRATE: '1' }).database.migrate).toBe(true);
  });

  it('writes JSON logs in production and text elsewhere, unless LOG_FORMAT says otherwise', () => {
    const production = {
      NODE_ENV: 'production',
      STORAGE_SIGNING_SECRET: 'x'.repeat(32),
      AUTH_JWT_SECRET: 'y'.repeat(32),
    };
    expect(loadConfig(production).logFormat).toBe('json');
    expect(loadConfig({}).logFormat).toBe('pretty');
    expect(loadConfig({ ...production, LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });

  it('serves metrics on a port of their own or behind a token of 16 characters or more, never printed', () => {
    expect(loadConfig({}).metrics).toEqual({ port: 0, token: undefined });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_TOKEN: 't'.repeat(16) }).metrics).toEqual({
      port: 9464,
      token: 't'.repeat(16),
    });
    expect(() => loadConfig({ METRICS_TOKEN: 'short-token' })).toThrow(/METRICS_TOKEN.*11 characters/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short-token' })).not.toThrow(/short-token/);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
  });

  it('never prints the password of a URL it refuses', () => {
    const refused = () => loadConfig({ REDIS_URL: 'http://:hunter2@redis:6379' });
    expect(refused).toThrow(/REDIS_URL.*"http:\/\/:\[redacted\]@redis:6379"/);
    expect(refused).not.toThrow(/hunter2/);
  });
});
