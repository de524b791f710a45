#pragma once
// Per-thread free lists for the small blocks that every op allocates and frees: tensor and
// storage objects, graph nodes, autograd metadata and their shared_ptr control blocks.
// glibc's per-thread cache keeps only 7 blocks per size, and a graph frees dozens of same-sized
// blocks at once (after backward, or when a step's tensors go), so the rest went through its
// slower bins: about 150 instructions per allocate/free pair, 15-20% of a small training step.
#include <cstddef>
#include <memory>
#include <utility>

#include "fastgrad/export.h"

namespace fastgrad::detail {

// Blocks of up to kMaxPooledBytes come from (and return to) the calling thread's free lists;
// larger ones go to malloc. Either kind may be freed on any thread.
constexpr std::size_t kMaxPooledBytes = 512;
FASTGRAD_API void* pool_allocate(std::size_t bytes);
FASTGRAD_API void pool_free(void* p, std::size_t bytes) noexcept;

template <typename T>
struct PoolAllocator {
  static_assert(alignof(T) <= alignof(std::max_align_t), "malloc's alignment is the pool's");
  using value_type = T;
  PoolAllocator() = default;
  template <typename U>
  PoolAllocator(const PoolAllocator<U>&) noexcept {}  // NOLINT: rebinding, as allocators do
  T* allocate(std::size_t n) { return static_cast<T*>(pool_allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { pool_free(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const PoolAllocator<U>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const PoolAllocator<U>&) const noexcept {
    return false;
  }
};

// make_shared through the pool: object and control block in one pooled block.
template <typename T, typename... Args>
std::shared_ptr<T> make_pooled(Args&&... args) {
  return std::allocate_shared<T>(PoolAllocator<T>(), std::forward<Args>(args)...);
}

}  // namespace fastgrad::detail
