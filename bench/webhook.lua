-- wrk script: signed GitHub webhook deliveries, each with a body of its own.
--
-- Gatehouse refuses a body it has already accepted (a replay), so every request carries a
-- distinct body: a fixed prefix (BENCH_BODY: the payload without its closing brace, padded
-- with spaces to whole SHA-256 blocks) followed by ,"bench_nonce":"<run>-<thread>-<n>"}.
-- Its HMAC-SHA256 is finished from midstates computed once in Python
-- (bench/hmac_midstate.py): BENCH_INNER_STATE is the inner hash's state after
-- (K ^ ipad) || prefix, BENCH_INNER_DONE that many bytes, BENCH_OUTER_STATE the outer
-- hash's state after (K ^ opad). Per request: one or two compressions for the inner hash
-- over the suffix and one for the outer. The nonce is also the X-GitHub-Delivery id.
--
-- Prints one JSON line with the results, counting 401s and "duplicate" answers apart.
-- Run by plain luajit (no wrk), it prints "<suffix>\t<signature>" for each nonce argument,
-- which the unit tests compare with Python's hmac.

-- BENCH_PACE_MS (optional): each connection waits this long before each request, so the
-- load is a fixed offered rate (connections / pace) instead of as fast as the server answers.

local bit = require("bit")
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local rshift, lshift, ror, tobit, tohex = bit.rshift, bit.lshift, bit.ror, bit.tobit, bit.tohex
local byte, char, format = string.byte, string.char, string.format

local K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}
for i = 1, 64 do K[i] = tobit(K[i]) end

local W = {}

-- One SHA-256 compression of the 64 bytes of msg at offset off into the 8-word state h.
local function compress(h, msg, off)
  for t = 0, 15 do
    local b1, b2, b3, b4 = byte(msg, off + 4 * t + 1, off + 4 * t + 4)
    W[t] = bor(lshift(b1, 24), lshift(b2, 16), lshift(b3, 8), b4)
  end
  for t = 16, 63 do
    local x, y = W[t - 15], W[t - 2]
    local s0 = bxor(ror(x, 7), ror(x, 18), rshift(x, 3))
    local s1 = bxor(ror(y, 17), ror(y, 19), rshift(y, 10))
    W[t] = tobit(W[t - 16] + s0 + W[t - 7] + s1)
  end
  local a, b, c, d, e, f, g, hh = h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
  for t = 0, 63 do
    local S1 = bxor(ror(e, 6), ror(e, 11), ror(e, 25))
    local ch = bxor(band(e, f), band(bnot(e), g))
    local t1 = hh + S1 + ch + K[t + 1] + W[t]
    local S0 = bxor(ror(a, 2), ror(a, 13), ror(a, 22))
    local maj = bxor(band(a, b), band(a, c), band(b, c))
    hh, g, f, e = g, f, e, tobit(d + t1)
    d, c, b, a = c, b, a, tobit(t1 + S0 + maj)
  end
  h[1], h[2], h[3], h[4] = tobit(h[1] + a), tobit(h[2] + b), tobit(h[3] + c), tobit(h[4] + d)
  h[5], h[6], h[7], h[8] = tobit(h[5] + e), tobit(h[6] + f), tobit(h[7] + g), tobit(h[8] + hh)
end

-- The digest (32 raw bytes) of a message whose first `done` bytes left `state`, then `tail`.
local function finish(state, done, tail)
  local h = {state[1], state[2], state[3], state[4], state[5], state[6], state[7], state[8]}
  local bits = (done + #tail) * 8
  local zeros = (55 - #tail) % 64
  local hi, lo = math.floor(bits / 4294967296), bits % 4294967296
  local msg = tail .. "\128" .. string.rep("\0", zeros)
    .. char(band(rshift(hi, 24), 255), band(rshift(hi, 16), 255), band(rshift(hi, 8), 255),
            band(hi, 255))
    .. char(band(rshift(lo, 24), 255), band(rshift(lo, 16), 255), band(rshift(lo, 8), 255),
            band(lo, 255))
  for off = 0, #msg - 1, 64 do
    compress(h, msg, off)
  end
  return h
end

local function words(name)
  local hex = os.getenv(name) or ""
  assert(#hex == 64 and not hex:find("[^0-9a-f]"),
         name .. " must be 8 words of 8 lowercase hex digits (see bench/hmac_midstate.py)")
  local out = {}
  for i = 1, 8 do out[i] = tobit(tonumber(hex:sub(8 * i - 7, 8 * i), 16)) end
  return out
end

local inner_state, outer_state, inner_done

local function load_states()
  inner_state, outer_state = words("BENCH_INNER_STATE"), words("BENCH_OUTER_STATE")
  inner_done = assert(tonumber(os.getenv("BENCH_INNER_DONE") or ""), "BENCH_INNER_DONE unset")
end

local function sign(suffix)
  local ih = finish(inner_state, inner_done, suffix)
  local digest = char(
    band(rshift(ih[1], 24), 255), band(rshift(ih[1], 16), 255), band(rshift(ih[1], 8), 255), band(ih[1], 255),
    band(rshift(ih[2], 24), 255), band(rshift(ih[2], 16), 255), band(rshift(ih[2], 8), 255), band(ih[2], 255),
    band(rshift(ih[3], 24), 255), band(rshift(ih[3], 16), 255), band(rshift(ih[3], 8), 255), band(ih[3], 255),
    band(rshift(ih[4], 24), 255), band(rshift(ih[4], 16), 255), band(rshift(ih[4], 8), 255), band(ih[4], 255),
    band(rshift(ih[5], 24), 255), band(rshift(ih[5], 16), 255), band(rshift(ih[5], 8), 255), band(ih[5], 255),
    band(rshift(ih[6], 24), 255), band(rshift(ih[6], 16), 255), band(rshift(ih[6], 8), 255), band(ih[6], 255),
    band(rshift(ih[7], 24), 255), band(rshift(ih[7], 16), 255), band(rshift(ih[7], 8), 255), band(ih[7], 255),
    band(rshift(ih[8], 24), 255), band(rshift(ih[8], 16), 255), band(rshift(ih[8], 8), 255), band(ih[8], 255))
  local oh = finish(outer_state, 64, digest)
  return "sha256=" .. tohex(oh[1], 8) .. tohex(oh[2], 8) .. tohex(oh[3], 8) .. tohex(oh[4], 8)
    .. tohex(oh[5], 8) .. tohex(oh[6], 8) .. tohex(oh[7], 8) .. tohex(oh[8], 8)
end

-- The nonce is made of the run name, thread number and a counter: no JSON escaping needed.
local function suffix_for(nonce)
  return ',"bench_nonce":"' .. nonce .. '"}'
end

if wrk == nil then  -- plain luajit: the self-check the unit tests run
  load_states()
  for _, nonce in ipairs(arg) do
    local suffix = suffix_for(nonce)
    io.write(suffix, "\t", sign(suffix), "\n")
  end
  return
end

local pace = tonumber(os.getenv("BENCH_PACE_MS") or "")
if pace and pace > 0 then
  function delay()
    return pace
  end
end

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
  prefix_body = f:read("*a")
  f:close()
  assert(tonumber(os.getenv("BENCH_INNER_DONE")) == 64 + #prefix_body,
         "BENCH_INNER_DONE does not match the prefix in BENCH_BODY")
  load_states()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-GitHub-Event"] = os.getenv("BENCH_EVENT") or "pull_request"
  nonce_prefix = (os.getenv("BENCH_RUN") or "run") .. "-" .. tid .. "-"
  sent = 0
  codes = {}
  duplicates = 0
end

function request()
  sent = sent + 1
  local nonce = nonce_prefix .. sent
  local suffix = suffix_for(nonce)
  wrk.headers["X-GitHub-Delivery"] = nonce
  wrk.headers["X-Hub-Signature-256"] = sign(suffix)
  return wrk.format(nil, nil, nil, prefix_body .. suffix)
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
  if status == 200 and body and body:find('"duplicate"', 1, true) then
    duplicates = duplicates + 1
  end
end

function done(summary, latency, requests)
  local totals = {}
  local dup = 0
  for _, thread in ipairs(threads) do
    local c = thread:get("codes")
    for status, n in pairs(c) do
      totals[status] = (totals[status] or 0) + n
    end
    dup = dup + (thread:get("duplicates") or 0)
  end
  local parts = {}
  for status, n in pairs(totals) do
    table.insert(parts, format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "codes": {%s}, "duplicates": %d, "errors": {"connect": %d, ' ..
    '"read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, table.concat(parts, ", "), dup,
    e.connect, e.read, e.write, e.status, e.timeout))
end
