// The small-block pool (see fastgrad/pool.h): one singly linked free list per 16-byte size
// class and thread, each capped so a burst of frees cannot hoard memory.
#include "fastgrad/pool.h"

#include <cstdlib>
#include <new>

#include "core/tls_model.h"

// Under AddressSanitizer every block goes to malloc, so that use-after-free of a tensor or
// node is still caught instead of landing in a recycled block.
#if defined(__SANITIZE_ADDRESS__)
#define FASTGRAD_POOL_ENABLED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FASTGRAD_POOL_ENABLED 0
#endif
#endif
#ifndef FASTGRAD_POOL_ENABLED
#define FASTGRAD_POOL_ENABLED 1
#endif

namespace fastgrad::detail {

namespace {

constexpr std::size_t kGranule = 16;
constexpr std::size_t kClasses = kMaxPooledBytes / kGranule;
constexpr int kMaxKept = 128;  // blocks kept per class and thread: at most 2 MiB a thread

struct FreeBlock {
  FreeBlock* next;
};

struct Pool {
  FreeBlock* head[kClasses];
  int kept[kClasses];
  bool live;  // false only for `drained` below
};

// What a thread's pool pointer holds after its pool was given back at thread exit: frees that
// run later (other thread_local destructors) see it and go to free(). Never written.
Pool drained{{}, {}, false};

// This thread's pool, set by its first pooled call. The pool itself is on the heap, so that the
// module's TLS block stays small enough for initial-exec access (core/tls_model.h): one load
// per call instead of a __tls_get_addr call.
thread_local Pool* pool_of_thread FASTGRAD_TLS_FAST = nullptr;

// Gives the pool and its blocks back to malloc when the thread ends.
struct Reaper {
  ~Reaper() {
    Pool* p = pool_of_thread;
    pool_of_thread = &drained;
    for (std::size_t c = 0; c < kClasses; ++c)
      while (FreeBlock* b = p->head[c]) {
        p->head[c] = b->next;
        std::free(b);
      }
    std::free(p);
  }
  void arm() {}
};
thread_local Reaper reaper;

// First pooled call on this thread: a pool, and the reaper that gives it back. Null if out of
// memory (the caller then uses malloc directly).
[[gnu::noinline]] Pool* first_use() {
  auto* p = static_cast<Pool*>(std::calloc(1, sizeof(Pool)));
  if (!p) return nullptr;
  p->live = true;
  pool_of_thread = p;
  reaper.arm();  // registers ~Reaper for this thread
  return p;
}

// This thread's pool, or null once it has been drained at thread exit.
Pool* this_thread_pool() {
  Pool* p = pool_of_thread;
  if (!p) p = first_use();
  return p && p->live ? p : nullptr;
}

std::size_t size_class(std::size_t bytes) { return (bytes + kGranule - 1) / kGranule - 1; }

void* raw_allocate(std::size_t bytes) {
  void* p = std::malloc(bytes);
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

void* pool_allocate(std::size_t bytes) {
  if (!FASTGRAD_POOL_ENABLED || bytes == 0 || bytes > kMaxPooledBytes) return raw_allocate(bytes);
  Pool* p = this_thread_pool();
  if (!p) return raw_allocate(bytes);
  const std::size_t c = size_class(bytes);
  if (FreeBlock* b = p->head[c]) {
    p->head[c] = b->next;
    --p->kept[c];
    return b;
  }
  // At the class's full size, so that any block of the class fits any request of it.
  return raw_allocate((c + 1) * kGranule);
}

void pool_free(void* ptr, std::size_t bytes) noexcept {
  if (!ptr) return;
  if (!FASTGRAD_POOL_ENABLED || bytes == 0 || bytes > kMaxPooledBytes) return std::free(ptr);
  Pool* p = this_thread_pool();
  const std::size_t c = size_class(bytes);
  if (!p || p->kept[c] >= kMaxKept) return std::free(ptr);
  auto* b = static_cast<FreeBlock*>(ptr);
  b->next = p->head[c];
  p->head[c] = b;
  ++p->kept[c];
}

}  // namespace fastgrad::detail
