#include "kernels/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#endif

#include "kernels/cpu.h"

namespace fastgrad::kernels {

namespace {

// A spin-wait hint to the CPU (x86 `pause`), nothing elsewhere.
inline void cpu_relax() {
#ifdef FASTGRAD_X86
  _mm_pause();
#endif
}

thread_local bool tl_in_job = false;

// One job at a time. `epoch` is even while a job's fields are stable (job epoch / 2) and odd
// while the calling thread rewrites them; `active` counts workers looking at the fields. A
// worker increments `active` before reading `epoch` and the caller marks the epoch odd before
// waiting for `active` to drop to zero (both sequentially consistent), so no worker reads a
// job that is being rewritten, and none runs a piece of a job after its caller has returned:
// every piece is taken from `next` before `done` can reach the total.
struct Pool {
  std::mutex publish;  // held by the thread whose job this is; others run inline
  std::atomic<uint64_t> epoch{0};
  std::atomic<int> active{0};

  std::atomic<int64_t> next{0}, done{0}, total{0}, end{0}, grain{1};
  std::atomic<int> threads{1}, joined{0};
  std::atomic<PieceFn> piece{nullptr};
  std::atomic<const void*> ctx{nullptr};

  std::mutex m;                      // guards sleepers and the waits below
  std::condition_variable wake;      // workers sleep here between jobs
  std::condition_variable finished;  // the caller sleeps here if pieces run long
  int sleepers = 0;
  int workers = 0;  // started so far; guarded by publish
};

// Never destroyed (workers may still sleep on it at exit); replaced in a forked child, which
// has none of the parent's workers.
Pool* g_pool = new Pool;

// Takes and runs pieces until the counter passes the end. Piece sizes shrink (a quarter of
// what is left with two threads, never below the grain, whole multiples of 64 elements when
// large) so that a thread that starts late takes only what is left.
void take_pieces(Pool& p) noexcept {
  const int64_t end = p.end.load(std::memory_order_relaxed);
  const int64_t grain = p.grain.load(std::memory_order_relaxed);
  const int64_t use = p.threads.load(std::memory_order_relaxed);
  const PieceFn piece = p.piece.load(std::memory_order_relaxed);
  const void* ctx = p.ctx.load(std::memory_order_relaxed);
  int64_t b = p.next.load(std::memory_order_relaxed);
  while (b < end) {
    int64_t size = std::max(grain, (end - b) / (2 * use));
    if (size >= 1024) size = (size + 63) / 64 * 64;
    const int64_t e = end - b <= size ? end : b + size;
    // On failure b is reloaded with the counter's current value.
    if (p.next.compare_exchange_weak(b, e, std::memory_order_relaxed)) {
      piece(ctx, b, e);
      p.done.fetch_add(e - b, std::memory_order_release);
      b = p.next.load(std::memory_order_relaxed);
    }
  }
}

void worker_main(Pool* pool) {
  Pool& p = *pool;
  tl_in_job = true;  // nested parallel_for calls on a worker run inline
  uint64_t last = 0;
  for (;;) {
    // Ops come back to back in a training step: watch for the next job for ~10 us before
    // sleeping, so that it starts without a wake-up (a 64K-element add on 2 threads: 22 ->
    // 5 us). Yielding, not spinning on `pause`: with another process wanting this core, a
    // pause loop cost 2-thread ops 10-20% and a yield loop nothing measurable.
    auto ready = [&] {
      const uint64_t e = p.epoch.load(std::memory_order_acquire);
      return e != last && (e & 1) == 0;
    };
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(10);
    while (!ready() && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    if (!ready()) {
      std::unique_lock<std::mutex> lk(p.m);
      ++p.sleepers;
      p.wake.wait(lk, ready);
      --p.sleepers;
    }
    p.active.fetch_add(1, std::memory_order_seq_cst);
    const uint64_t e = p.epoch.load(std::memory_order_seq_cst);
    if ((e & 1) == 0 && e != last) {
      last = e;
      // Only threads - 1 workers join a job, however many were started for an earlier one.
      if (p.joined.fetch_add(1, std::memory_order_relaxed) < p.threads.load() - 1) {
        take_pieces(p);
        if (p.done.load(std::memory_order_acquire) == p.total.load(std::memory_order_relaxed)) {
          std::lock_guard<std::mutex> lk(p.m);
          p.finished.notify_all();
        }
      }
    }
    p.active.fetch_sub(1, std::memory_order_release);
  }
}

#if defined(__unix__) || defined(__APPLE__)
// A forked child has only the forking thread: give it a new pool, whose workers it starts
// when it first needs them. The parent's pool (perhaps with a mutex held) is left as it is.
void reset_pool_in_child() { g_pool = new Pool; }
#endif

}  // namespace

bool in_pool_job() { return tl_in_job; }

bool pool_run(int64_t begin, int64_t end, int64_t grain, int threads, PieceFn piece,
              const void* ctx) {
  Pool& p = *g_pool;
  std::unique_lock<std::mutex> job(p.publish, std::try_to_lock);
  if (!job.owns_lock()) return false;
  if (p.workers < threads - 1) {
#if defined(__unix__) || defined(__APPLE__)
    static const bool registered = (pthread_atfork(nullptr, nullptr, reset_pool_in_child), true);
    (void)registered;
#endif
    for (; p.workers < threads - 1; ++p.workers) std::thread(worker_main, &p).detach();
  }

  // Close the previous job to late workers, then publish this one.
  const uint64_t e = p.epoch.load(std::memory_order_relaxed);
  p.epoch.store(e + 1, std::memory_order_seq_cst);
  while (p.active.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  const int64_t total = end - begin;
  p.next.store(begin, std::memory_order_relaxed);
  p.done.store(0, std::memory_order_relaxed);  // elements done; the job is over at `total`
  p.total.store(total, std::memory_order_relaxed);
  p.end.store(end, std::memory_order_relaxed);
  p.grain.store(grain, std::memory_order_relaxed);
  p.threads.store(threads, std::memory_order_relaxed);
  p.joined.store(0, std::memory_order_relaxed);
  p.piece.store(piece, std::memory_order_relaxed);
  p.ctx.store(ctx, std::memory_order_relaxed);
  p.epoch.store(e + 2, std::memory_order_seq_cst);
  {
    std::lock_guard<std::mutex> lk(p.m);
    const int n = std::min(p.sleepers, threads - 1);
    for (int i = 0; i < n; ++i) p.wake.notify_one();
  }

  tl_in_job = true;
  take_pieces(p);
  tl_in_job = false;

  // Wait only for pieces that other threads took and are still running: spin briefly (they
  // are running now), then sleep until the last one is done.
  if (p.done.load(std::memory_order_acquire) != total) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
    while (p.done.load(std::memory_order_acquire) != total &&
           std::chrono::steady_clock::now() < until)
      for (int i = 0; i < 16; ++i) cpu_relax();
    if (p.done.load(std::memory_order_acquire) != total) {
      std::unique_lock<std::mutex> lk(p.m);
      p.finished.wait(lk, [&] { return p.done.load(std::memory_order_acquire) == total; });
    }
  }
  return true;
}

}  // namespace fastgrad::kernels
