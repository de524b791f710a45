// The small-block pool (see fastgrad/pool.h): one singly linked free list per 16-byte size
// class and thread, each capped so a burst of frees cannot hoard memory.
#include "fastgrad/pool.h"

#include <cstdlib>
#include <new>

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

// Trivially destructible and constant-initialised, so each access is one TLS address lookup
// with no guard (this code runs in a dlopen'ed module: general-dynamic TLS, a call per access).
struct Pool {
  FreeBlock* head[kClasses];
  int kept[kClasses];
  int state;  // 0: not used yet on this thread, 1: live, 2: drained at thread exit
};
thread_local Pool pool;

// Gives the blocks back to malloc when the thread ends; registered by the first pooled call.
struct Reaper {
  ~Reaper() {
    Pool& p = pool;
    p.state = 2;  // frees that run later (other thread_local destructors) go to free()
    for (std::size_t c = 0; c < kClasses; ++c)
      while (FreeBlock* b = p.head[c]) {
        p.head[c] = b->next;
        std::free(b);
      }
  }
  void arm() {}
};
thread_local Reaper reaper;

// This thread's pool. The empty asm pins the address in a register: otherwise GCC repeats the
// __tls_get_addr call at each use, which cost as much as the pooling saved.
Pool& this_thread_pool() {
  Pool* p = &pool;
  asm("" : "+r"(p));
  return *p;
}

std::size_t size_class(std::size_t bytes) { return (bytes + kGranule - 1) / kGranule - 1; }

void* raw_allocate(std::size_t bytes) {
  void* p = std::malloc(bytes);
  if (!p) throw std::bad_alloc();
  return p;
}

// First pooled call on this thread: arm the reaper. False once the thread is exiting.
bool usable(Pool& p) {
  if (p.state == 1) return true;
  if (p.state == 2) return false;
  reaper.arm();
  p.state = 1;
  return true;
}

}  // namespace

void* pool_allocate(std::size_t bytes) {
  if (!FASTGRAD_POOL_ENABLED || bytes == 0 || bytes > kMaxPooledBytes) return raw_allocate(bytes);
  Pool& p = this_thread_pool();
  const std::size_t c = size_class(bytes);
  if (!usable(p)) return raw_allocate(bytes);
  if (FreeBlock* b = p.head[c]) {
    p.head[c] = b->next;
    --p.kept[c];
    return b;
  }
  // At the class's full size, so that any block of the class fits any request of it.
  return raw_allocate((c + 1) * kGranule);
}

void pool_free(void* ptr, std::size_t bytes) noexcept {
  if (!ptr) return;
  if (!FASTGRAD_POOL_ENABLED || bytes == 0 || bytes > kMaxPooledBytes) return std::free(ptr);
  Pool& p = this_thread_pool();
  const std::size_t c = size_class(bytes);
  if (!usable(p) || p.kept[c] >= kMaxKept) return std::free(ptr);
  auto* b = static_cast<FreeBlock*>(ptr);
  b->next = p.head[c];
  p.head[c] = b;
  ++p.kept[c];
}

}  // namespace fastgrad::detail
