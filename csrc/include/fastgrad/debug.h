#pragma once
// Debugging aids for the backward pass: anomaly mode and per-node timing.
//
// Anomaly mode (torch.autograd.set_detect_anomaly): every Node created while it is on records
// where it was created (a trace string supplied by the embedder's hook: the Python bindings
// install one that returns the Python traceback), and during backward the first Node whose
// gradient contains NaN raises Error naming the Node and quoting that trace.
//
// The backward profiler adds up the time each kind of Node (display name) spends in apply().
// Both cost one relaxed atomic load per Node when off.
#include <cstdint>
#include <string>
#include <vector>

#include "fastgrad/export.h"
#include "fastgrad/tensor.h"

namespace fastgrad {

class Node;

struct FASTGRAD_API AnomalyMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
  // Called when a Node is created in anomaly mode; returns where (e.g. a traceback).
  using TraceHook = std::string (*)();
  static void set_trace_hook(TraceHook hook);
};

struct ProfileRecord {
  std::string name;  // the Node's display name (PowBackward0, ...)
  int64_t count = 0;
  int64_t total_ns = 0;
};

struct FASTGRAD_API BackwardProfiler {
  static bool is_enabled();
  // Turning it on clears the records.
  static void set_enabled(bool enabled);
  static std::vector<ProfileRecord> records();
};

namespace detail {
// What the engine calls instead of node.apply: times it when profiling and checks the result
// for NaN in anomaly mode.
FASTGRAD_API TensorList apply_node(Node& node, TensorList&& grads);
// The trace for a new Node (empty unless anomaly mode is on and a hook is installed).
std::string anomaly_trace();
}  // namespace detail

}  // namespace fastgrad
