/**
 * Lua scripts behind RedisProgressStore. Each mutation is one script so the counters in the hash
 * can never drift from the bitmap, whatever runs concurrently.
 *
 * KEYS are always [hash, done bitmap, failed set, leases zset] of one upload (same cluster slot).
 * Numbers that may be large (bytes, epoch ms) are passed to Redis as the original ARGV strings or
 * through string.format('%d'): Lua's tostring would turn 1e15 into "1e+15", which HINCRBY rejects.
 */

/**
 * Guard shared by every mutation. A missing hash means the upload expired, was flushed or removed:
 * the script stops, so it never resurrects a partial upload (a lone bitmap or failed set).
 */
const PRELUDE = `
local H, D, F, L = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if redis.call('EXISTS', H) == 0 then return 0 end
local total = tonumber(redis.call('HGET', H, 'total'))

-- Out-of-range indices are ignored: SETBIT at a huge offset would allocate up to 512 MB.
local function chunk(arg)
  local i = tonumber(arg)
  if i and i >= 0 and i < total and i % 1 == 0 then return i end
  return nil
end

local function add(count, bytes)
  if count ~= 0 then
    redis.call('HINCRBY', H, 'completedCount', string.format('%d', count))
    redis.call('HINCRBY', H, 'completedBytes', string.format('%d', bytes))
  end
end

-- Status is derived, never stored blindly. Keys created by this call (SADD, ZADD, SETBIT) get the
-- upload's expiry too, so all keys of an upload disappear together.
local function settle(active)
  local status = 'uploading'
  if redis.call('SCARD', F) > 0 then status = 'failed'
  elseif redis.call('ZCARD', L) > 0 then status = 'retrying'
  elseif not active and redis.call('HGET', H, 'status') == 'initialized' then status = 'initialized'
  end
  redis.call('HSET', H, 'status', status)
  local at = redis.call('HGET', H, 'expiresAt')
  for _, key in ipairs(KEYS) do redis.call('PEXPIREAT', key, at) end
end
`;

/** ARGV: filename, total, size, expiresAt, urlsExpireAt, ownerId. Resets whatever the upload had before. */
const INIT = `
local H = KEYS[1]
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('HSET', H, 'filename', ARGV[1], 'total', ARGV[2], 'size', ARGV[3], 'expiresAt', ARGV[4],
  'urlsExpireAt', ARGV[5], 'ownerId', ARGV[6], 'completedCount', 0, 'completedBytes', 0, 'status', 'initialized', 'syncedAt', 0)
redis.call('PEXPIREAT', H, ARGV[4])
return 1
`;

/** ARGV: index. */
const UPLOADING = `${PRELUDE}
settle(chunk(ARGV[1]) ~= nil)
return 1
`;

/** ARGV: index, bytes, index, bytes, ... Counts a chunk only when its bit flips from 0 to 1. */
const DONE = `${PRELUDE}
local count, bytes, seen = 0, 0, false
for n = 1, #ARGV, 2 do
  local i = chunk(ARGV[n])
  if i then
    seen = true
    if redis.call('SETBIT', D, i, 1) == 0 then
      count = count + 1
      bytes = bytes + tonumber(ARGV[n + 1])
    end
    redis.call('SREM', F, i)
    redis.call('ZREM', L, i)
  end
end
add(count, bytes)
settle(seen)
return count
`;

/**
 * ARGV: index, ... A done chunk cannot fail (a late error report must not undo a success). A failed
 * chunk loses its lease: its URL is no longer the way forward, the next retry issues a new one.
 */
const FAILED = `${PRELUDE}
for n = 1, #ARGV do
  local i = chunk(ARGV[n])
  if i and redis.call('GETBIT', D, i) == 0 then
    redis.call('SADD', F, i)
    redis.call('ZREM', L, i)
  end
end
settle(false)
return 1
`;

/** ARGV: deadline (epoch ms), index, ... Done chunks get no lease: it would never be cleared. */
const RETRYING = `${PRELUDE}
for n = 2, #ARGV do
  local i = chunk(ARGV[n])
  if i and redis.call('GETBIT', D, i) == 0 then
    redis.call('SREM', F, i)
    redis.call('ZADD', L, ARGV[1], i)
  end
end
settle(false)
return 1
`;

/** ARGV: at (epoch ms). */
const SYNCED_AT = `${PRELUDE}
redis.call('HSET', H, 'syncedAt', ARGV[1])
return 1
`;

/**
 * Cost is O(hash fields + failed chunks), plus the bitmap of stored chunks (one bit per chunk: 1.25 KB
 * for 10,000). GET of a missing bitmap is nil, which would end the reply's list: it answers '' instead.
 */
const GET = `
local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return false end
return { h, redis.call('SMEMBERS', KEYS[3]), redis.call('GET', KEYS[2]) or '' }
`;

/** Inside Lua replies are RESP2, so WITHSCORES is a flat [member, score, ...] list whatever the client speaks. */
const LEASES = `return redis.call('ZRANGE', KEYS[4], 0, -1, 'WITHSCORES')`;

export const PROGRESS_SCRIPTS = {
  init: { lua: INIT, readOnly: false },
  uploading: { lua: UPLOADING, readOnly: false },
  done: { lua: DONE, readOnly: false },
  failed: { lua: FAILED, readOnly: false },
  retrying: { lua: RETRYING, readOnly: false },
  syncedAt: { lua: SYNCED_AT, readOnly: false },
  get: { lua: GET, readOnly: true },
  leases: { lua: LEASES, readOnly: true },
} as const;

export type ProgressScript = keyof typeof PROGRESS_SCRIPTS;

/** Every script takes the same four keys. */
export const PROGRESS_KEY_COUNT = 4;
