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

const USAGE = `Usage: npm run token -- [--user <id>] [--channels <id,id,...|*>] [--ttl <seconds>] [--key <private.pem>]

Prints a bearer token signed with the configured AUTH_JWT_* settings (the development secret when none is set).
  --user      the token's subject, the user id (default: dev-user)
  --channels  channel ids the user may upload to, comma-separated, or * for all (default: *)
  --ttl       lifetime in seconds (default: 86400)
  --key       PKCS#8 private key file, needed when AUTH_JWT_ALGORITHM is RS256 or ES256
  --help      this text`;

/** Exits with `message` and the usage (exit code 2, as for any command-line mistake). */
function refuse(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        user: { type: 'string', default: 'dev-user' },
        channels: { type: 'string', default: '*' },
        ttl: { type: 'string', default: '86400' },
        key: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return refuse((error as Error).message);
  }
})();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const ttl = Number(values.ttl);
if (!Number.isSafeInteger(ttl) || ttl < 1) refuse(`--ttl must be a whole number of seconds >= 1, got ${values.ttl}`);
if (values.user.trim() === '') refuse('--user must not be empty');
const { auth } = (() => {
  try {
    return loadConfig();
  } catch (error) {
    // A setting that does not parse: its message names it; a stack trace would only hide it.
    console.error((error as Error).message);
    return process.exit(1);
  }
})();
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
    : await importPKCS8(privateKey(), auth.algorithm).catch((error: Error) =>
        refuse(`--key ${values.key} is not a PKCS#8 ${auth.algorithm} private key: ${error.message}`),
      );
const token = await new SignJWT({ channels })
  .setProtectedHeader({ alg: auth.algorithm, typ: 'JWT' })
  .setSubject(values.user)
  .setIssuer(auth.issuer)
  .setAudience(auth.audience)
  .setIssuedAt()
  .setExpirationTime(`${ttl}s`)
  .sign(key);
console.log(token);

/** The PEM text of --key. */
function privateKey(): string {
  if (!values.key) refuse(`AUTH_JWT_ALGORITHM is ${auth.algorithm}: pass the private key with --key <file.pem>`);
  try {
    return readFileSync(values.key, 'utf8');
  } catch (error) {
    return refuse(`--key ${values.key} cannot be read: ${(error as Error).message}`);
  }
}
