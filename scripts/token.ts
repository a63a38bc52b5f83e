/**
 * Prints a bearer token for development and tests (npm run token -- --user alice --channels 123,456).
 * It signs with the configured HS256 secret (the development secret when none is set), issuer and
 * audience. For RS256/ES256 pass the private key: --key private.pem. Production tokens come from the
 * platform, never from here.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { importPKCS8, SignJWT } from 'jose';
import { loadConfig } from '#config';

const { values } = parseArgs({
  options: {
    user: { type: 'string', default: 'dev-user' },
    channels: { type: 'string', default: '*' },
    ttl: { type: 'string', default: '86400' },
    key: { type: 'string' },
  },
});
const { auth } = loadConfig();
const channels =
  values.channels === '*'
    ? '*'
    : values.channels
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean);
const key =
  auth.algorithm === 'HS256'
    ? new TextEncoder().encode(auth.key)
    : await importPKCS8(readFileSync(requiredKey(), 'utf8'), auth.algorithm);
const token = await new SignJWT({ channels })
  .setProtectedHeader({ alg: auth.algorithm, typ: 'JWT' })
  .setSubject(values.user)
  .setIssuer(auth.issuer)
  .setAudience(auth.audience)
  .setIssuedAt()
  .setExpirationTime(`${Number(values.ttl)}s`)
  .sign(key);
console.log(token);

function requiredKey(): string {
  if (!values.key)
    throw new Error(`AUTH_JWT_ALGORITHM is ${auth.algorithm}: pass the private key with --key <file.pem>`);
  return values.key;
}
