import { REDACTED, redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  const jwt =
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImNoYW5uZWxzIjoiKiJ9.qO3mB6c0Yv6bVn5hJg8r1z0t3y4Vw7sXk2LpQmN9aBc';

  it.each([
    [
      'PUT http://s3:7480/b/videos/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261129&X-Amz-Signature=0a1b2c3d&partNumber=1',
      `PUT http://s3:7480/b/videos/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${REDACTED}&X-Amz-Signature=${REDACTED}&partNumber=1`,
    ],
    [
      '/api/v1/storage/disk?op=part&key=k&signature=abcdef0123',
      `/api/v1/storage/disk?op=part&key=k&signature=${REDACTED}`,
    ],
    [`Authorization: Bearer ${jwt}`, `Authorization: Bearer ${REDACTED}`],
    [`"token":"${jwt}"`, `"token":"${REDACTED}"`],
    [
      'POST /api/v1/uppy/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCd/s3/multipart',
      `POST /api/v1/uppy/${REDACTED}/s3/multipart`,
    ],
    [
      'POST /api/v1/videos?upload=6f1c2d3e-0000-4000-8000-000000000000&uppy=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCd',
      `POST /api/v1/videos?upload=6f1c2d3e-0000-4000-8000-000000000000&uppy=${REDACTED}`,
    ],
    ['postgres://reelay:s3cret@db:5432/reelay', `postgres://reelay:${REDACTED}@db:5432/reelay`],
    ['connect to redis://:hunter2@redis:6379 failed', `connect to redis://:${REDACTED}@redis:6379 failed`],
  ])('%s', (line, expected) => {
    expect(redactSecrets(line)).toBe(expected);
  });

  it('leaves lines without secrets alone, route patterns included', () => {
    const line = '{"route":"/api/v1/uppy/:token/s3/multipart","url":"postgres://db:5432/reelay","status":200}';
    expect(redactSecrets(line)).toBe(line);
  });
});
