// Reliability at scale: a 10-million-op chain and a million-consumer fan-out backward and free
// without recursion; backward runs concurrently from std::threads; parallel kernels give the
// same bits whatever the thread count. Each case prints its time and the process's peak RSS.
// (Built as its own executable so sanitizer builds can skip the big graphs.)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <thread>

#include "helpers.h"

using fg::Tensor;
using fg::TensorList;

namespace {

// Peak resident set size of this process so far, in MiB (Linux reports KiB).
double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

struct Timer {
  const char* what;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  ~Timer() {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("  %s: %.2f s, peak RSS %.0f MiB\n", what, s, peak_rss_mib());
  }
};

// FASTGRAD_STRESS_SCALE divides the graph sizes (sanitizer and TSan runs use a smaller graph).
int64_t scaled(int64_t n) {
  const char* s = std::getenv("FASTGRAD_STRESS_SCALE");
  int64_t div = s ? std::atoll(s) : 1;
  return div > 1 ? n / div : n;
}

}  // namespace

TEST_CASE("stress: 10 million op chain, backward then free") {
  const int64_t n_ops = scaled(10'000'000);
  const double c = 1.0000001, d = 1e-7;
  Tensor x = fg::scalar_tensor(0.5, fg::ScalarType::Float64).set_requires_grad(true);
  double expected_grad = 1.0;
  {
    Timer t{"10M-op chain: build, backward, free"};
    Tensor y = x;
    for (int64_t i = 0; i < n_ops / 2; ++i) {
      y = y * c;
      y = y + d;
      expected_grad *= c;
    }
    y.backward();
    CHECK_CLOSE(x.grad().item<double>(), expected_grad, 1e-9);
    CHECK_THROWS_AS(y.backward(), fg::Error, "Trying to backward through the graph a second time");
  }  // y, and with it the whole chain, freed here
  CHECK(x.is_leaf());
  CHECK_CLOSE(x.grad().item<double>(), expected_grad, 1e-9);
}

TEST_CASE("stress: 2 million op chain freed without backward") {
  // Destruction alone (no backward has released the saved tensors that hold the chain).
  const int64_t n_ops = scaled(2'000'000);
  Tensor x = fg::scalar_tensor(1.0, fg::ScalarType::Float32).set_requires_grad(true);
  {
    Timer t{"2M-op chain: build, free"};
    Tensor y = x;
    for (int64_t i = 0; i < n_ops; ++i) y = y * 1.0;
    CHECK(y.requires_grad());
  }
  (x * 3.0).backward();
  CHECK_EQ(x.grad().item<float>(), 3.0f);
}

TEST_CASE("stress: one node feeding 1 million consumers") {
  const int64_t n = scaled(1'000'000);
  Tensor x = fg::scalar_tensor(2.0, fg::ScalarType::Float64).set_requires_grad(true);
  {
    Timer t{"1M consumers of one node, summed by stack: build, backward, free"};
    Tensor h = x * 1.5;  // the shared node: a million edges point at it
    TensorList outs;
    outs.reserve(n);
    for (int64_t i = 0; i < n; ++i) outs.push_back(h * 2.0);
    fg::stack(outs).sum().backward();
    // d/dx = n * 2 * 1.5, exact in float64
    CHECK_EQ(x.grad().item<double>(), 3.0 * static_cast<double>(n));
  }
  {
    Timer t{"1M outputs of one node, backward of all at once"};
    x.set_grad(Tensor());
    Tensor h = x * 1.5;
    TensorList outs;
    outs.reserve(n);
    for (int64_t i = 0; i < n; ++i) outs.push_back(h * 2.0);
    TensorList ones(outs.size(), fg::scalar_tensor(1.0, fg::ScalarType::Float64));
    fg::autograd::backward(outs, ones);
    CHECK_EQ(x.grad().item<double>(), 3.0 * static_cast<double>(n));
  }
}

TEST_CASE("threads: concurrent backward on independent graphs and shared leaves") {
  constexpr int kThreads = 8, kRounds = 50;
  Tensor w = fg::full({64, 32}, 0.5, fg::ScalarType::Float64).set_requires_grad(true);
  std::vector<Tensor> own(kThreads);
  for (int i = 0; i < kThreads; ++i)
    own[i] = fg::full({32}, 1.0, fg::ScalarType::Float64).set_requires_grad(true);
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      try {
        for (int r = 0; r < kRounds; ++r) {
          Tensor in = fg::full({16, 64}, 1.0, fg::ScalarType::Float64);
          // w is shared by every thread's graph; own[i] only by this thread's.
          Tensor out = (fg::matmul(in, w) * own[i]).tanh().sum();
          out.backward();
        }
      } catch (const std::exception&) {
        ++errors;
      }
    });
  for (auto& t : threads) t.join();
  CHECK_EQ(errors.load(), 0);
  // Same graphs, serially: the accumulated gradient must equal the sum of all the runs.
  Tensor w2 = fg::full({64, 32}, 0.5, fg::ScalarType::Float64).set_requires_grad(true);
  Tensor o2 = fg::full({32}, 1.0, fg::ScalarType::Float64).set_requires_grad(true);
  for (int r = 0; r < kThreads * kRounds; ++r) {
    Tensor in = fg::full({16, 64}, 1.0, fg::ScalarType::Float64);
    (fg::matmul(in, w2) * o2).tanh().sum().backward();
  }
  // Every run adds the same gradient, so the order of additions does not change the bits.
  CHECK(values(w.grad()) == values(w2.grad()));
  for (int i = 0; i < kThreads; ++i)
    CHECK_CLOSE(own[i].grad().sum().item<double>(), o2.grad().sum().item<double>() / kThreads,
                1e-9);
}

TEST_CASE("threads: pooled blocks outlive and cross the threads that made them") {
  // Tensors and graphs built on threads that then exit (their pools are drained at exit) must
  // stay valid, and be freed on another thread without trouble.
  constexpr int kThreads = 6;
  std::vector<Tensor> made(kThreads), losses(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      made[i] = fg::full({3}, 1.0 + i, fg::ScalarType::Float64).set_requires_grad(true);
      losses[i] = (made[i] * made[i]).sum();  // a graph whose nodes live in this thread's pool
    });
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    losses[i].backward();  // on the main thread, after the maker exited
    CHECK_VALUES(made[i].grad(), {2.0 * (1 + i), 2.0 * (1 + i), 2.0 * (1 + i)});
  }
  losses.clear();
  // Blocks allocated here and freed on a worker, far beyond what one pool keeps.
  std::vector<void*> blocks;
  for (std::size_t bytes = 1; bytes <= fg::detail::kMaxPooledBytes + 64; bytes += 9)
    for (int k = 0; k < 300; ++k) {
      auto* p = static_cast<unsigned char*>(fg::detail::pool_allocate(bytes));
      p[0] = p[bytes - 1] = static_cast<unsigned char>(k);
      blocks.push_back(p);
    }
  std::thread([&] {
    std::size_t i = 0;
    for (std::size_t bytes = 1; bytes <= fg::detail::kMaxPooledBytes + 64; bytes += 9)
      for (int k = 0; k < 300; ++k, ++i) {
        auto* p = static_cast<unsigned char*>(blocks[i]);
        CHECK(p[0] == static_cast<unsigned char>(k) && p[bytes - 1] == p[0]);
        fg::detail::pool_free(p, bytes);
      }
  }).join();
  made.clear();
}

TEST_CASE("threads: grad mode is per thread") {
  Tensor x = fg::ones({3}).set_requires_grad(true);
  fg::NoGradGuard no_grad;  // only this thread
  bool other_records = false;
  std::thread t([&] { other_records = (x * 2.0).requires_grad(); });
  t.join();
  CHECK(other_records);
  CHECK(!(x * 2.0).requires_grad());
}

TEST_CASE("threads: parallel kernels from several threads at once") {
  // Each std::thread runs large (OpenMP-parallel above the grain size) kernels; the results
  // must match a serial run's bits.
  auto work = [](int seed) {
    Tensor a = fg::linspace(-1.0, 1.0 + seed, 1 << 18, fg::ScalarType::Float32).reshape({512, 512});
    Tensor b = (a.exp() * a + a.sin()).transpose(0, 1).contiguous();
    Tensor m = fg::matmul(a, b);
    return TensorList{m.sum(), b.sum({0}), b.sum({1}), m};
  };
  std::vector<TensorList> serial;
  for (int i = 0; i < 4; ++i) serial.push_back(work(i));
  std::vector<TensorList> parallel(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&, i] { parallel[i] = work(i); });
  for (auto& t : threads) t.join();
  for (int i = 0; i < 4; ++i)
    for (size_t k = 0; k < serial[i].size(); ++k)
      CHECK(values(serial[i][k]) == values(parallel[i][k]));
}

TEST_CASE("threads: thousands of short parallel jobs from several threads") {
  // Jobs just above the grain size, back to back, so that workers often wake after their job
  // is over or while the next one is being set up; several callers contend for the workers
  // (the losers run inline), and the thread count changes between rounds.
  const int64_t sizes[] = {32769, 40000, 65537, 131072};
  auto expected = [](int64_t n) { return static_cast<double>(n) * (n - 1); };  // sum of 2i
  std::atomic<int> wrong{0};
  for (int threads : {2, 3, 8, 2}) {
    fg::set_num_threads(threads);
    std::vector<std::thread> callers;
    for (int c = 0; c < 3; ++c)
      callers.emplace_back([&, c] {
        for (int r = 0; r < 150; ++r) {
          const int64_t n = sizes[(r + c) % 4];
          Tensor x = fg::arange(0.0, static_cast<double>(n), 1.0, fg::ScalarType::Float64);
          if ((x + x).sum().item<double>() != expected(n)) ++wrong;
        }
      });
    for (auto& t : callers) t.join();
  }
  fg::set_num_threads(2);
  CHECK_EQ(wrong.load(), 0);
}

TEST_CASE("threads: a forked child runs parallel kernels") {
  // The child has none of the parent's worker threads; its kernels must still finish.
  fg::set_num_threads(2);
  Tensor x = fg::arange(0.0, 100000.0, 1.0, fg::ScalarType::Float64);
  CHECK((x * 2.0).sum().item<double>() == 100000.0 * 99999.0);  // starts the parent's workers
  const pid_t pid = fork();
  if (pid == 0) {
    const bool ok = (x * 2.0).sum().item<double>() == 100000.0 * 99999.0;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
