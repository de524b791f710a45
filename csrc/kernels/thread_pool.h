#pragma once
// The worker threads behind parallel_for. A job is a range handed out in pieces from a shared
// counter; the calling thread takes pieces too and returns as soon as every piece is done. A
// worker that has not woken up by then is not waited for: it finds nothing left and sleeps
// again. (An OpenMP region ends in a barrier that every thread of the team must reach, so a
// 32K-element sum on 2 threads took 53 us instead of 2: the time the idle vCPU of a VM takes
// to wake up, paid on every op.)
#include <cstdint>

namespace fastgrad::kernels {

// Runs piece(ctx, b, e) over [begin, end) in pieces of at least `grain` elements on the
// calling thread and up to threads - 1 workers. Returns false, having run nothing, when the
// pool is busy with another thread's job; the caller then runs the range itself. `piece` must
// not throw.
using PieceFn = void (*)(const void* ctx, int64_t begin, int64_t end);
bool pool_run(int64_t begin, int64_t end, int64_t grain, int threads, PieceFn piece,
              const void* ctx);

// True on a pool worker and on a thread running its own job: parallel_for runs nested
// ranges inline.
bool in_pool_job();

}  // namespace fastgrad::kernels
