/**
 * Who may call what: every route needs a valid token, a user sees only what is theirs (someone else's
 * upload answers exactly like one that does not exist), and init checks the channel.
 */
import { spawn } from 'node:child_process';
import { type CryptoKey, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { ApiClient } from './support/api-client.js';
import { MiB, signToken, startStack, type Stack } from './support/stack.js';
import { chunkOf, putTo, randomFile, sha256, sha256OfStream } from './support/files.js';

describe('authentication and ownership', () => {
  let stack: Stack;
  const file = randomFile(11 * MiB);
  let upload: { uploadId: string; fileId: string; chunkSize: number; presignedUrls: string[] };
  let videoId: string;

  beforeAll(async () => {
    stack = await startStack({ driver: 'disk' });
    // alice: one upload half done, one completed video
    upload = (await stack.api.init({ channel_id: '123', files: [{ filename: 'mine.mp4', size: file.length }] })).body
      .data![0];
    expect((await putTo(upload.presignedUrls[0], chunkOf(file, upload.chunkSize, 0))).status).toBe(200);
    const small = randomFile(1000);
    const done = (
      await stack.api.init({
        channel_id: '123',
        files: [{ filename: 'done.mp4', size: small.length, type: 'video/mp4' }],
      })
    ).body.data![0];
    expect((await putTo(done.presignedUrls[0], small)).status).toBe(200);
    videoId = (await stack.api.complete(done.uploadId)).body.data!.videoId;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const routes = () =>
    [
      ['POST', '/api/v1/videos/batch/init', { json: { channel_id: '123', files: [{ filename: 'x.mp4', size: 10 }] } }],
      [
        'POST',
        `/api/v1/videos/batch/chunk/${upload.uploadId}/1`,
        { body: Buffer.alloc(10), headers: { 'content-type': 'application/octet-stream' } },
      ],
      ['GET', `/api/v1/videos/batch/progress/${upload.uploadId}`, {}],
      ['POST', `/api/v1/videos/batch/retry/${upload.uploadId}`, {}],
      ['POST', `/api/v1/videos/batch/complete/${upload.uploadId}`, {}],
      ['GET', `/api/v1/videos/${videoId}`, {}],
    ] as const;

  const badTokens: Array<[string, () => Promise<string | undefined>]> = [
    ['no token', () => Promise.resolve(undefined)],
    ['a malformed token', () => Promise.resolve('not.a.jwt')],
    [
      'a wrong signature',
      () => signToken(stack.env.AUTH_JWT_SECRET, 'alice', '*', { secret: 'another-secret-that-is-32-characters!' }),
    ],
    [
      'an expired token',
      () => signToken(stack.env.AUTH_JWT_SECRET, 'alice', '*', { expiresIn: Math.floor(Date.now() / 1000) - 3600 }),
    ],
    ['a wrong audience', () => signToken(stack.env.AUTH_JWT_SECRET, 'alice', '*', { audience: 'someone-else' })],
    ['a wrong issuer', () => signToken(stack.env.AUTH_JWT_SECRET, 'alice', '*', { issuer: 'evil' })],
    [
      'an unsigned token (alg none)',
      () =>
        Promise.resolve(
          `${b64({ alg: 'none' })}.${b64({ sub: 'alice', iss: 'reelay', aud: 'reelay-upload', exp: 9e9 })}.`,
        ),
    ],
  ];

  it.each(badTokens)('every route answers 401 in the envelope for %s', async (_name, make) => {
    const token = await make();
    for (const [method, path, options] of routes()) {
      const res = await new ApiClient(stack.url, token).call(method, path, options);
      expect([method, path, res.status]).toEqual([method, path, 401]);
      expect(res.body).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
    }
  });

  it("another user's upload and video answer 404, exactly like unknown ids, and stay unchanged", async () => {
    const bob = await stack.as('bob', ['456']);
    const before = (await stack.api.progress(upload.uploadId, { fresh: true })).body.data;
    for (const [method, path, options] of routes().slice(1)) {
      const res = await bob.call(method, path, options);
      expect([method, path, res.status]).toEqual([method, path, 404]);
      const unknown = await bob.call(
        method,
        path
          .replace(upload.uploadId, '6f1c1c1e-0000-4000-8000-000000000000')
          .replace(videoId, '6f1c1c1e-0000-4000-8000-000000000000'),
        options,
      );
      expect(res.body.error!.code).toBe(unknown.body.error!.code);
    }
    expect((await stack.api.progress(upload.uploadId, { fresh: true })).body.data).toEqual(before);
    // and alice's upload still completes with her bytes
    for (let i = 1; i < 3; i++)
      expect((await putTo(upload.presignedUrls[i], chunkOf(file, upload.chunkSize, i))).status).toBe(200);
    expect((await stack.api.complete(upload.uploadId)).status).toBe(200);
    expect(await sha256OfStream(await stack.storage.readRange(`videos/${upload.fileId}/source`, 0))).toBe(sha256(file));
  });

  it('init answers 403 for a channel the token does not allow, and 201 for one it does', async () => {
    const bob = await stack.as('bob', ['456', 789 as unknown as string]);
    const refused = await bob.init({ channel_id: '123', files: [{ filename: 'x.mp4', size: 10 }] });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'CHANNEL_FORBIDDEN', details: { channelId: '123' } });
    expect((await bob.init({ channel_id: 789, files: [{ filename: 'x.mp4', size: 10 }] })).status).toBe(201);
    const none = new ApiClient(stack.url, await stack.token('carol', []));
    expect((await none.init({ channel_id: '456', files: [{ filename: 'x.mp4', size: 10 }] })).status).toBe(403);
  });

  it('health and the API docs need no token', async () => {
    for (const path of ['/health', '/docs', '/docs-json']) expect((await fetch(stack.url + path)).status).toBe(200);
  });

  describe('npm run token (scripts/token.ts)', () => {
    const token = (...args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['dist/scripts/token.js', ...args], {
          env: { ...process.env, AUTH_JWT_SECRET: stack.env.AUTH_JWT_SECRET },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });

    it('prints a token the API takes, for the user and channels asked', async () => {
      const run = await token('--user', 'dave', '--channels', '123,456', '--ttl', '600');
      expect(run.code).toBe(0);
      const dave = new ApiClient(stack.url, run.stdout.trim());
      expect((await dave.init({ channel_id: '456', files: [{ filename: 'x.mp4', size: 10 }] })).status).toBe(201);
      expect((await dave.init({ channel_id: '789', files: [{ filename: 'x.mp4', size: 10 }] })).status).toBe(403);
      // alice's upload is not dave's
      expect((await dave.progress(upload.uploadId)).status).toBe(404);
    });

    it('--help prints the usage; a wrong option or ttl exits 2 with the usage and no stack trace', async () => {
      const help = await token('--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--channels');
      for (const args of [['--bogus'], ['--ttl', '0'], ['--ttl', 'soon'], ['--user', ' ']]) {
        const run = await token(...args);
        expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
        expect(run.stderr).toContain('Usage: npm run token');
        expect(run.stderr).not.toMatch(/\n\s+at /);
      }
    });
  });
});

describe('tokens signed with ES256', () => {
  let stack: Stack;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    stack = await startStack({
      driver: 'disk',
      env: {
        AUTH_JWT_ALGORITHM: 'ES256',
        AUTH_JWT_PUBLIC_KEY: await exportSPKI(pair.publicKey),
        AUTH_JWT_ISSUER: 'platform',
        AUTH_JWT_AUDIENCE: 'uploads',
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('accepts a token signed with the platform key and refuses an HS256 one', async () => {
    const es = await new SignJWT({ channels: ['1'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject('dana')
      .setIssuer('platform')
      .setAudience('uploads')
      .setExpirationTime('5m')
      .sign(privateKey);
    const init = await new ApiClient(stack.url, es).init({ channel_id: '1', files: [{ filename: 'a.mp4', size: 10 }] });
    expect(init.status).toBe(201);
    const hs = await signToken(stack.env.AUTH_JWT_SECRET, 'dana', ['1'], { issuer: 'platform', audience: 'uploads' });
    expect((await new ApiClient(stack.url, hs).progress(init.body.data![0].uploadId)).status).toBe(401);
  });
});

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
