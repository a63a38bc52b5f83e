/**
 * The bench's bearer token. The API's own token script (dist/scripts/token.js) signs it with the same
 * configuration as the API it is given (AUTH_JWT_SECRET ...); before that script exists the API takes
 * no token, and no header is sent.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const TOKEN_SCRIPT = 'dist/scripts/token.js';

export function bearerToken(env: Record<string, string>, user: string, channels: string[]): string | undefined {
  if (!existsSync(TOKEN_SCRIPT)) return undefined;
  const out = execFileSync(process.execPath, [TOKEN_SCRIPT, '--user', user, '--channels', channels.join(',')], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const token = out.trim().split('\n').at(-1)?.trim();
  if (!token) throw new Error(`${TOKEN_SCRIPT} printed no token`);
  return token;
}

export function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}
