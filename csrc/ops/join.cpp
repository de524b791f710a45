// Slicing, cat/stack and flip, with their backward nodes.
#include <algorithm>

#include "kernels/copy.h"
#include "ops/common.h"

namespace fastgrad {

namespace {

// Gradient of a slice: zeros with the slice's region set to the incoming gradient.
struct SliceBackward0 final : Node {
  Shape in_shape;
  int64_t dim = 0, start = 0, end = 0, step = 1;
  std::string name() const override { return "SliceBackward0"; }
  TensorList apply(TensorList&& g) override {
    // Under create_graph the copy through the view is recorded (CopySlices on `out`).
    Tensor out = zeros(in_shape, g[0].dtype());
    slice(out, dim, start, end, step).copy_(g[0]);
    return {out};
  }
};

struct CatBackward0 final : Node {
  int64_t dim = 0;
  std::vector<int64_t> lengths;  // size along dim of each input (0 for skipped empties)
  std::string name_ = "CatBackward0";
  std::string name() const override { return name_; }
  TensorList apply(TensorList&& g) override {
    TensorList out(lengths.size());
    int64_t offset = 0;
    for (size_t i = 0; i < lengths.size(); ++i) {
      if (!needs_input_grad(i)) {
        offset += lengths[i];
        continue;
      }
      out[i] = narrow(g[0], dim, offset, lengths[i]);
      offset += lengths[i];
    }
    return out;
  }
};

struct FlipBackward0 final : Node {
  std::vector<int64_t> dims;
  std::string name() const override { return "FlipBackward0"; }
  TensorList apply(TensorList&& g) override { return {flip(g[0], dims)}; }
};

}  // namespace

Tensor slice(const Tensor& t, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
             int64_t step) {
  if (t.dim() == 0) throw IndexError("slice() cannot be applied to a 0-dim tensor.");
  if (step <= 0) throw ValueError("step must be greater than zero");
  const int64_t d = wrap_dim(dim, t.dim());
  const int64_t n = t.sizes()[d];
  // Python slice semantics: negative counts from the end, out of range clamps.
  auto clampi = [n](int64_t v) { return std::min(std::max(v < 0 ? v + n : v, int64_t{0}), n); };
  const int64_t s = start ? clampi(*start) : 0;
  const int64_t e = std::max(s, end ? clampi(*end) : n);
  Shape sizes = t.sizes(), strides = t.strides();
  sizes[d] = (e - s + step - 1) / step;
  strides[d] *= step;
  Tensor out = detail::make_view(t, sizes, strides, t.storage_offset() + s * t.strides()[d]);
  if (!autograd::compute_requires_grad({&t})) return detail::track_view(out, t);
  auto node = make_node<SliceBackward0>();
  node->in_shape = t.sizes();
  node->dim = d;
  node->start = s;
  node->end = e;
  node->step = step;
  return detail::record_view(out, t, node);
}

Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length) {
  if (t.dim() == 0) throw Error("narrow() cannot be applied to a 0-dim tensor.");
  const int64_t d = wrap_dim(dim, t.dim());
  const int64_t n = t.sizes()[d];
  if (start < -n || start > n)
    throw IndexError(detail::cat("start out of range (expected to be in range of [", -n, ", ", n,
                                 "], but got ", start, ")"));
  if (start < 0) start += n;
  if (length < 0 || start + length > n)
    throw Error(detail::cat("start (", start, ") + length (", length, ") exceeds dimension size (",
                            n, ")."));
  return slice(t, d, start, start + length, 1);
}

namespace {
Tensor cat_impl(const TensorList& tensors, int64_t dim, const char* node_name) {
  if (tensors.empty()) throw Error("torch.cat(): expected a non-empty list of Tensors");
  // Legacy rule kept by PyTorch: 1-D empty tensors are ignored whatever the other shapes.
  const Tensor* ref = nullptr;
  for (const Tensor& t : tensors)
    if (!(t.dim() == 1 && t.numel() == 0)) {
      ref = &t;
      break;
    }
  ScalarType dtype = tensors[0].dtype();
  for (const Tensor& t : tensors) dtype = promote_types(dtype, t.dtype());
  if (!ref) return empty({0}, dtype);
  if (ref->dim() == 0)
    throw Error("zero-dimensional tensor (at position 0) cannot be concatenated");
  const int64_t d = wrap_dim(dim, ref->dim());
  Shape shape = ref->sizes();
  shape[d] = 0;
  std::vector<int64_t> lengths;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (t.dim() == 1 && t.numel() == 0) {
      lengths.push_back(0);
      continue;
    }
    if (t.dim() != ref->dim())
      throw Error(detail::cat("Tensors must have same number of dimensions: got ", ref->dim(),
                              " and ", t.dim()));
    for (int64_t k = 0; k < t.dim(); ++k)
      if (k != d && t.sizes()[k] != ref->sizes()[k])
        throw Error(detail::cat("Sizes of tensors must match except in dimension ", d,
                                ". Expected size ", ref->sizes()[k], " but got size ", t.sizes()[k],
                                " for tensor number ", i, " in the list."));
    lengths.push_back(t.sizes()[d]);
    shape[d] += t.sizes()[d];
  }
  Tensor out = detail::make_empty(shape, dtype);
  int64_t offset = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (lengths[i] == 0) continue;
    Tensor region;
    {
      NoGradGuard no_grad;
      region = slice(out, d, offset, offset + lengths[i], 1);
    }
    kernels::copy_cast(detail::elementwise_geometry(region, {&tensors[i]}), region.data_ptr(),
                       dtype, tensors[i].data_ptr(), tensors[i].dtype());
    offset += lengths[i];
  }
  bool any = false;
  for (const Tensor& t : tensors) any |= t.requires_grad();
  if (any && GradMode::is_enabled()) {
    auto node = make_node<CatBackward0>();
    node->dim = d;
    node->lengths = lengths;
    node->name_ = node_name;
    autograd::collect_next_edges(*node, tensors);
    autograd::set_history(out, node);
  }
  return out;
}
}  // namespace

Tensor cat(const TensorList& tensors, int64_t dim) {
  return cat_impl(tensors, dim, "CatBackward0");
}

Tensor stack(const TensorList& tensors, int64_t dim) {
  if (tensors.empty()) throw Error("stack expects a non-empty TensorList");
  for (size_t i = 1; i < tensors.size(); ++i)
    if (tensors[i].sizes() != tensors[0].sizes())
      throw Error(detail::cat("stack expects each tensor to be equal size, but got ",
                              shape_str(tensors[0].sizes()), " at entry 0 and ",
                              shape_str(tensors[i].sizes()), " at entry ", i));
  const int64_t d = wrap_dim(dim, tensors[0].dim() + 1);
  TensorList parts;
  {
    // Views of the inputs; the gradient edges go straight to the inputs (see below).
    NoGradGuard no_grad;
    for (const Tensor& t : tensors) parts.push_back(unsqueeze(t, d));
  }
  Tensor out;
  {
    NoGradGuard no_grad;
    out = cat_impl(parts, d, "StackBackward0");
  }
  bool any = false;
  for (const Tensor& t : tensors) any |= t.requires_grad();
  if (any && GradMode::is_enabled()) {
    struct StackBackward0 final : Node {
      int64_t dim = 0;
      std::string name() const override { return "StackBackward0"; }
      TensorList apply(TensorList&& g) override {
        TensorList out(next_edges_.size());
        for (size_t i = 0; i < out.size(); ++i)
          if (needs_input_grad(i)) out[i] = select(g[0], dim, static_cast<int64_t>(i));
        return out;
      }
    };
    auto node = make_node<StackBackward0>();
    node->dim = d;
    autograd::collect_next_edges(*node, tensors);
    autograd::set_history(out, node);
  }
  return out;
}

Tensor flip(const Tensor& t, const std::vector<int64_t>& dims) {
  // A temporary view with negated strides, copied out (views never keep negative strides).
  Shape strides = t.strides();
  int64_t offset = t.storage_offset();
  std::vector<bool> seen(t.dim(), false);
  std::vector<int64_t> wrapped;
  for (int64_t dim : dims) {
    const int64_t d = wrap_dim(dim, t.dim());
    if (t.dim() == 0) continue;
    if (seen[d]) throw Error(detail::cat("dim ", d, " appears multiple times in the list of dims"));
    seen[d] = true;
    wrapped.push_back(d);
    if (t.sizes()[d] > 0) offset += (t.sizes()[d] - 1) * strides[d];
    strides[d] = -strides[d];
  }
  Tensor reversed = detail::make_view(t, t.sizes(), strides, offset);
  Tensor out = detail::make_empty(t.sizes(), t.dtype());
  kernels::copy_cast(detail::elementwise_geometry(out, {&reversed}), out.data_ptr(), out.dtype(),
                     reversed.data_ptr(), reversed.dtype());
  if (autograd::compute_requires_grad({&t})) {
    auto node = make_node<FlipBackward0>();
    node->dims = wrapped;
    detail::record(out, node, {&t});
  }
  return out;
}

}  // namespace fastgrad
