// Anomaly mode and the backward profiler (see fastgrad/debug.h).
#include "fastgrad/debug.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <unordered_map>

#include "fastgrad/errors.h"
#include "fastgrad/grad_mode.h"
#include "fastgrad/node.h"
#include "fastgrad/ops.h"

namespace fastgrad {

namespace {
// Global, not per thread, as in PyTorch: the flag is set once for a whole debugging session.
std::atomic<bool> anomaly_enabled{false};
std::atomic<AnomalyMode::TraceHook> trace_hook{nullptr};

std::atomic<bool> profiler_enabled{false};
std::mutex profiler_mutex;
std::unordered_map<std::string, ProfileRecord>& profile_table() {
  static auto& table = *new std::unordered_map<std::string, ProfileRecord>();
  return table;
}

bool has_nan(const Tensor& g) {
  if (!g.defined() || !is_floating(g.dtype())) return false;
  NoGradGuard no_grad;
  return sum(ne(g, g)).item<int64_t>() > 0;  // NaN is the only value unequal to itself
}

}  // namespace

bool AnomalyMode::is_enabled() { return anomaly_enabled.load(std::memory_order_relaxed); }
void AnomalyMode::set_enabled(bool enabled) { anomaly_enabled.store(enabled); }
void AnomalyMode::set_trace_hook(TraceHook hook) { trace_hook.store(hook); }

bool BackwardProfiler::is_enabled() { return profiler_enabled.load(std::memory_order_relaxed); }
void BackwardProfiler::set_enabled(bool enabled) {
  std::lock_guard<std::mutex> lock(profiler_mutex);
  if (enabled) profile_table().clear();
  profiler_enabled.store(enabled);
}
std::vector<ProfileRecord> BackwardProfiler::records() {
  std::lock_guard<std::mutex> lock(profiler_mutex);
  std::vector<ProfileRecord> r;
  for (auto& [name, rec] : profile_table()) r.push_back(rec);
  return r;
}

namespace detail {

std::string anomaly_trace() {
  if (!AnomalyMode::is_enabled()) return {};
  AnomalyMode::TraceHook hook = trace_hook.load();
  return hook ? hook() : std::string();
}

TensorList apply_node(Node& node, TensorList&& grads) {
  if (!BackwardProfiler::is_enabled() && !AnomalyMode::is_enabled())
    return node.apply(std::move(grads));
  const auto start = std::chrono::steady_clock::now();
  TensorList out = node.apply(std::move(grads));
  if (BackwardProfiler::is_enabled()) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    std::lock_guard<std::mutex> lock(profiler_mutex);
    ProfileRecord& rec = profile_table()[node.display_name()];
    rec.name = node.display_name();
    rec.count += 1;
    rec.total_ns += ns;
  }
  if (AnomalyMode::is_enabled()) {
    for (size_t i = 0; i < out.size(); ++i) {
      if (!has_nan(out[i])) continue;
      // PyTorch's wording, "1th" included.
      std::string msg = "Function '" + node.display_name() + "' returned nan values in its " +
                        std::to_string(i) + "th output.";
      if (!node.anomaly_trace().empty())
        msg += "\n\nTraceback of forward call that caused the error:\n" + node.anomaly_trace();
      else
        msg += "\n\n(No forward traceback: the node was created while anomaly mode was off.)";
      throw Error(msg);
    }
  }
  return out;
}

}  // namespace detail

}  // namespace fastgrad
