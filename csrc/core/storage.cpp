#include "fastgrad/storage.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "fastgrad/errors.h"
#include "fastgrad/pool.h"

namespace fastgrad {

namespace {
constexpr size_t kAlignment = 64;  // a cache line; also enough for AVX-512 loads

// Caching allocator for large buffers. A fresh multi-megabyte buffer costs a page fault per
// 4 KiB on first touch, which dominates large elementwise ops; keeping freed buffers for reuse
// (as PyTorch's CUDA allocator does) avoids that. Small buffers go straight to malloc, which is
// already fast for them. The cache is bounded and emptied when an allocation fails.
class BufferCache {
 public:
  static constexpr size_t kMinCached = size_t{1} << 16;       // 64 KiB
  static constexpr size_t kMaxCachedTotal = size_t{1} << 30;  // 1 GiB

  void* get(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.find(bytes);
    if (it == free_.end() || it->second.empty()) return nullptr;
    void* p = it->second.back();
    it->second.pop_back();
    cached_ -= bytes;
    return p;
  }
  // Returns false when the buffer should be freed instead.
  bool put(void* p, size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cached_ + bytes > kMaxCachedTotal) return false;
    free_[bytes].push_back(p);
    cached_ += bytes;
    return true;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [size, ptrs] : free_)
      for (void* p : ptrs) std::free(p);
    free_.clear();
    cached_ = 0;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  size_t cached_ = 0;
};

// Leaked on purpose: storages may be freed during static destruction.
BufferCache& cache() {
  static auto* c = new BufferCache();
  return *c;
}

// Buffers of 2 MiB and more start on a 2 MiB boundary and ask Linux for transparent huge
// pages (as NumPy does): a 64 MB read streams at 38 GB/s on one core with them, 28 with 4 KiB
// pages, whose TLB misses stall the hardware prefetcher. Where THP is off this changes nothing.
constexpr size_t kHugePage = size_t{1} << 21;

void* allocate_bytes(size_t rounded) {
  if (rounded < kHugePage) return std::aligned_alloc(kAlignment, rounded);
  void* p = nullptr;
  if (posix_memalign(&p, kHugePage, rounded) != 0) return nullptr;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure leaves 4 KiB pages
#endif
  return p;
}

// Large sizes are rounded to 64 KiB so that buffers of similar size share a bucket.
size_t rounded_size(size_t nbytes) {
  size_t unit = nbytes >= BufferCache::kMinCached ? BufferCache::kMinCached : kAlignment;
  return (nbytes + unit - 1) / unit * unit;
}
}  // namespace

void empty_buffer_cache() { cache().clear(); }

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, bool zero) {
  if (nbytes <= sizeof(Storage::inline_)) {
    // One allocation for object, control block and data (0-dim tensors, Python numbers).
    auto s = detail::make_pooled<Storage>(Private{}, nullptr, nbytes, false, nullptr);
    s->data_ = s->inline_;
    if (zero) std::memset(s->inline_, 0, sizeof(s->inline_));
    return s;
  }
  void* p = nullptr;
  if (nbytes > 0) {
    const size_t rounded = rounded_size(nbytes);
    if (rounded >= BufferCache::kMinCached) p = cache().get(rounded);
    if (!p) p = allocate_bytes(rounded);
    if (!p) {
      cache().clear();
      p = allocate_bytes(rounded);
    }
    if (!p)
      throw Error(detail::cat("DefaultCPUAllocator: not enough memory: you tried to allocate ",
                              nbytes, " bytes."));
    if (zero) std::memset(p, 0, nbytes);
  }
  return detail::make_pooled<Storage>(Private{}, p, nbytes, true, nullptr);
}

std::shared_ptr<Storage> Storage::from_external(void* data, size_t nbytes,
                                                std::shared_ptr<void> owner) {
  return detail::make_pooled<Storage>(Private{}, data, nbytes, false, std::move(owner));
}

std::shared_ptr<Storage> Storage::alias_of(const std::shared_ptr<Storage>& other) {
  return detail::make_pooled<Storage>(Private{}, other->data_, other->nbytes_, false, other);
}

Storage::~Storage() {
  if (!owns_ || !data_) return;
  const size_t rounded = rounded_size(nbytes_);
  if (rounded >= BufferCache::kMinCached && cache().put(data_, rounded)) return;
  std::free(data_);
}

}  // namespace fastgrad
