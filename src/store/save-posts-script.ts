/**
 * Saves posts and keeps the tag index exact, atomically, in one server-side step: a replaced post's old
 * tags are uncounted before its new ones are counted, so changed labels never leave stale counts.
 * KEYS: posts hash, post-tags hash, by-time zset, tag-count zset, tag-label hash.
 * ARGV: prefix, then per post: key, JSON, score (`-inf` when undated), feed, JSON [[tag, label], …].
 * Per-feed and per-tag keys are derived from the prefix: fine on one Redis (the design), not on Cluster.
 */
export const SAVE_POSTS_SCRIPT = `
local prefix = ARGV[1]
local touched = {}
local function untag(key, pairs_json)
  for _, pair in ipairs(cjson.decode(pairs_json)) do
    local tag, label = pair[1], pair[2]
    redis.call('ZREM', prefix .. ':tag-posts:' .. tag, key)
    redis.call('ZINCRBY', KEYS[4], -1, tag)
    redis.call('HINCRBY', prefix .. ':tag-labels:' .. tag, label, -1)
    touched[tag] = true
  end
end
local function tag_post(key, score, pairs_json)
  for _, pair in ipairs(cjson.decode(pairs_json)) do
    local tag, label = pair[1], pair[2]
    redis.call('ZADD', prefix .. ':tag-posts:' .. tag, score, key)
    redis.call('ZINCRBY', KEYS[4], 1, tag)
    redis.call('HINCRBY', prefix .. ':tag-labels:' .. tag, label, 1)
    touched[tag] = true
  end
end
for i = 2, #ARGV, 5 do
  local key, json, score, feed, pairs_json = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local old = redis.call('HGET', KEYS[2], key)
  if old then untag(key, old) end
  tag_post(key, score, pairs_json)
  redis.call('HSET', KEYS[1], key, json)
  redis.call('HSET', KEYS[2], key, pairs_json)
  redis.call('ZADD', KEYS[3], score, key)
  redis.call('ZADD', prefix .. ':posts:feed:' .. feed, score, key)
end
for tag in pairs(touched) do
  local labels_key = prefix .. ':tag-labels:' .. tag
  local n = tonumber(redis.call('ZSCORE', KEYS[4], tag) or '0')
  if n <= 0 then
    redis.call('ZREM', KEYS[4], tag)
    redis.call('DEL', labels_key, prefix .. ':tag-posts:' .. tag)
    redis.call('HDEL', KEYS[5], tag)
  else
    local best, best_count = nil, 0
    local flat = redis.call('HGETALL', labels_key)
    for j = 1, #flat, 2 do
      local label, c = flat[j], tonumber(flat[j + 1])
      if c <= 0 then
        redis.call('HDEL', labels_key, label)
      elseif c > best_count or (c == best_count and label < best) then
        best, best_count = label, c
      end
    end
    redis.call('HSET', KEYS[5], tag, best)
  end
end
return #ARGV
`;
