#pragma once
// Storage: a refcounted byte buffer shared by a tensor and all of its views. It also carries
// the version counter that in-place writes bump, so saved tensors can detect modification.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fastgrad/export.h"

namespace fastgrad {

class FASTGRAD_API Storage {
 public:
  // New zero-initialised-or-not buffer of nbytes (64-byte aligned).
  static std::shared_ptr<Storage> allocate(size_t nbytes, bool zero = false);
  // Wraps memory owned by someone else (a NumPy array); `owner` keeps it alive.
  static std::shared_ptr<Storage> from_external(void* data, size_t nbytes,
                                                std::shared_ptr<void> owner);
  // Same bytes, fresh version counter (what `.data` gives in PyTorch).
  static std::shared_ptr<Storage> alias_of(const std::shared_ptr<Storage>& other);

  // Use the factories above; public only so that make_shared can build it in one allocation.
  struct Private {};
  Storage(Private, void* data, size_t nbytes, bool owns, std::shared_ptr<void> owner)
      : Storage(data, nbytes, owns, std::move(owner)) {}
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  uint32_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  Storage(void* data, size_t nbytes, bool owns, std::shared_ptr<void> owner)
      : data_(data), nbytes_(nbytes), owns_(owns), owner_(std::move(owner)) {}
  void* data_;
  size_t nbytes_;
  bool owns_;
  std::shared_ptr<void> owner_;
  std::atomic<uint32_t> version_{0};
  // Scalars and other tiny tensors keep their bytes here: no separate allocation.
  alignas(16) unsigned char inline_[16];
};

// Frees the buffers the allocator keeps for reuse (large buffers are cached after free).
FASTGRAD_API void empty_buffer_cache();

}  // namespace fastgrad
