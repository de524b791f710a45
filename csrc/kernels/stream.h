#pragma once
// Non-temporal ("streaming") stores for results too large to stay in the caches.
//
// An ordinary store first reads the cache line it writes (to own it), so an out-of-place
// c = a + b moves four arrays' worth of bytes, not three, and the result evicts data that is
// still wanted. Streaming stores write whole lines straight to memory. They pay off only when
// the result could not stay cached anyway: when an op's operands and result together exceed
// half the last-level cache. Below that, a result read right after (the next op, the
// backward) is served from the cache, which streaming would throw away.
#include <algorithm>
#include <cstdint>

namespace fastgrad::kernels {

// Bytes an op must touch (operands and result together) for its result to be streamed.
int64_t streaming_threshold();

// Writes nbytes from src (a small buffer in L1) to dst, streaming the 16-byte-aligned middle.
void stream_bytes(void* dst, const void* src, int64_t nbytes);
// Orders this thread's streaming stores before anything it writes next (end of a chunk).
void stream_fence();

// out[begin, end) in blocks: fill(i0, i1, tmp) computes elements [i0, i1) into tmp, which is
// then streamed to out + i0. Blocks after the first start 64-byte aligned in out.
template <typename R, typename Fill>
void streamed(R* out, int64_t begin, int64_t end, const Fill& fill) {
  constexpr int64_t kBlock = 2048 / sizeof(R);
  alignas(64) R tmp[kBlock];
  int64_t i = begin;
  const auto misalign = static_cast<int64_t>(reinterpret_cast<uintptr_t>(out + i) % 64);
  int64_t n = misalign % static_cast<int64_t>(sizeof(R)) == 0 && misalign != 0
                  ? (64 - misalign) / static_cast<int64_t>(sizeof(R))
                  : kBlock;
  while (i < end) {
    n = std::min(n, end - i);
    fill(i, i + n, tmp);
    stream_bytes(out + i, tmp, n * static_cast<int64_t>(sizeof(R)));
    i += n;
    n = kBlock;
  }
  stream_fence();
}

}  // namespace fastgrad::kernels
