// Views: new metadata over the same storage (and version counter), with their backward nodes.
#include <algorithm>
#include <numeric>

#include "ops/common.h"

namespace fastgrad {

namespace {

using detail::make_view;
using detail::record_view;

// Resolves one -1 and checks the element count, with PyTorch's messages.
Shape infer_size(const Shape& shape, int64_t numel) {
  Shape out = shape;
  int64_t known = 1;
  int64_t infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer >= 0) throw Error("only one dimension can be inferred");
      infer = static_cast<int64_t>(i);
    } else if (shape[i] < 0) {
      throw Error(detail::cat("invalid shape dimension ", shape[i]));
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0 && known != 0 && numel % known == 0) {
    out[infer] = numel / known;
    return out;
  }
  if (infer < 0 && known == numel) return out;
  throw Error(detail::cat("shape '", shape_str(shape), "' is invalid for input of size ", numel));
}

// Strides for viewing (sizes, strides) as `shape` without copying, if possible (PyTorch's
// computeStride): each run of old dims that is contiguous may be re-split freely.
std::optional<Shape> view_strides(const Shape& old_sizes, const Shape& old_strides,
                                  const Shape& shape) {
  Shape new_strides(shape.size(), 0);
  if (old_sizes.empty()) {
    std::fill(new_strides.begin(), new_strides.end(), 1);
    return new_strides;
  }
  const int64_t numel = shape_numel(old_sizes);
  if (numel == 0) {
    if (old_sizes == shape) return old_strides;
    return contiguous_strides(shape);
  }
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t tensor_d = static_cast<int64_t>(old_sizes.size()) - 1; tensor_d >= 0; --tensor_d) {
    tensor_numel *= old_sizes[tensor_d];
    if (tensor_d == 0 || (old_sizes[tensor_d - 1] != 1 &&
                          old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        new_strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (tensor_d > 0) {
        chunk_base_stride = old_strides[tensor_d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return new_strides;
}

struct ViewBackward0 final : Node {
  Shape in_shape;
  std::string name_ = "ViewBackward0";
  std::string name() const override { return name_; }
  TensorList apply(TensorList&& g) override { return {reshape(g[0], in_shape)}; }
};

struct TransposeBackward0 final : Node {
  int64_t d0 = 0, d1 = 0;
  std::string name_ = "TransposeBackward0";
  std::string name() const override { return name_; }
  TensorList apply(TensorList&& g) override { return {transpose(g[0], d0, d1)}; }
};

struct PermuteBackward0 final : Node {
  std::vector<int64_t> inverse;
  std::string name() const override { return "PermuteBackward0"; }
  TensorList apply(TensorList&& g) override { return {permute(g[0], inverse)}; }
};

struct ExpandBackward0 final : Node {
  Shape in_shape;
  std::string name() const override { return "ExpandBackward0"; }
  TensorList apply(TensorList&& g) override { return {sum_to(g[0], in_shape)}; }
};

}  // namespace

Tensor view(const Tensor& t, const Shape& shape) {
  Shape s = infer_size(shape, t.numel());
  auto strides = view_strides(t.sizes(), t.strides(), s);
  if (!strides)
    throw Error(
        "view size is not compatible with input tensor's size and stride (at least one dimension "
        "spans across two contiguous subspaces). Use .reshape(...) instead.");
  Tensor out = make_view(t, s, *strides, t.storage_offset());
  if (!autograd::compute_requires_grad({&t})) return detail::track_view(out, t);
  auto node = make_node<ViewBackward0>();
  node->in_shape = t.sizes();
  return record_view(out, t, node);
}

Tensor reshape(const Tensor& t, const Shape& shape) {
  Shape s = infer_size(shape, t.numel());
  if (view_strides(t.sizes(), t.strides(), s)) return view(t, s);
  return detail::rename_grad_fn(view(clone(t), s), "UnsafeViewBackward0");
}

Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1) {
  int64_t a = wrap_dim(dim0, t.dim()), b = wrap_dim(dim1, t.dim());
  Shape sizes = t.sizes(), strides = t.strides();
  if (t.dim() > 0) {
    std::swap(sizes[a], sizes[b]);
    std::swap(strides[a], strides[b]);
  }
  Tensor out = make_view(t, sizes, strides, t.storage_offset());
  if (!autograd::compute_requires_grad({&t})) return detail::track_view(out, t);
  auto node = make_node<TransposeBackward0>();
  node->d0 = a;
  node->d1 = b;
  return record_view(out, t, node);
}

Tensor t(const Tensor& self) {
  if (self.dim() > 2)
    throw Error(
        detail::cat("t() expects a tensor with <= 2 dimensions, but self is ", self.dim(), "D"));
  if (self.dim() < 2) {
    Tensor out = make_view(self, self.sizes(), self.strides(), self.storage_offset());
    if (!autograd::compute_requires_grad({&self})) return detail::track_view(out, self);
    auto node = make_node<TransposeBackward0>();
    node->name_ = "TBackward0";
    return record_view(out, self, node);
  }
  Tensor out = transpose(self, 0, 1);
  if (auto fn = std::dynamic_pointer_cast<TransposeBackward0>(out.grad_fn()))
    fn->name_ = "TBackward0";
  return out;
}

Tensor permute(const Tensor& t, const std::vector<int64_t>& dims) {
  if (static_cast<int64_t>(dims.size()) != t.dim())
    throw Error(
        detail::cat("permute(sparse_coo): number of dimensions in the tensor input does not "
                    "match the length of the desired ordering of dimensions i.e. input.dim() = ",
                    t.dim(), " is not equal to len(dims) = ", dims.size()));
  Shape sizes(dims.size()), strides(dims.size());
  std::vector<int64_t> inverse(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = wrap_dim(dims[i], t.dim());
    if (seen[d]) throw Error("permute(): duplicate dims are not allowed.");
    seen[d] = true;
    sizes[i] = t.sizes()[d];
    strides[i] = t.strides()[d];
    inverse[d] = static_cast<int64_t>(i);
  }
  Tensor out = make_view(t, sizes, strides, t.storage_offset());
  if (!autograd::compute_requires_grad({&t})) return detail::track_view(out, t);
  auto node = make_node<PermuteBackward0>();
  node->inverse = inverse;
  return record_view(out, t, node);
}

Tensor expand(const Tensor& t, const Shape& shape) {
  const int64_t nd = static_cast<int64_t>(shape.size());
  if (nd < t.dim())
    throw Error(detail::cat(
        "expand(", legacy_type_name(t.dtype()), "{",
        shape_str(t.sizes()).substr(1, shape_str(t.sizes()).size() - 2),
        "}, size=", shape_str(shape), "): the number of sizes provided (", nd,
        ") must be greater or equal to the number of dimensions in the tensor (", t.dim(), ")"));
  Shape sizes(nd), strides(nd);
  const int64_t off = nd - t.dim();
  for (int64_t d = nd - 1; d >= 0; --d) {
    const int64_t td = d - off;
    int64_t want = shape[d];
    if (td < 0) {
      if (want < 0)
        throw Error(detail::cat("The expanded size of the tensor (", want,
                                ") isn't allowed in a leading, non-existing dimension ", d));
      sizes[d] = want;
      strides[d] = 0;
      continue;
    }
    const int64_t have = t.sizes()[td];
    if (want == -1) want = have;
    if (have == want) {
      sizes[d] = have;
      strides[d] = t.strides()[td];
    } else if (have == 1) {
      sizes[d] = want;
      strides[d] = 0;
    } else {
      throw Error(detail::cat(
          "The expanded size of the tensor (", want, ") must match the existing size (", have,
          ") at non-singleton dimension ", d, ".  Target sizes: ", shape_str(shape),
          ".  Tensor sizes: ", shape_str(t.sizes())));
    }
  }
  Tensor out = make_view(t, sizes, strides, t.storage_offset());
  if (!autograd::compute_requires_grad({&t})) return detail::track_view(out, t);
  auto node = make_node<ExpandBackward0>();
  node->in_shape = t.sizes();
  return record_view(out, t, node);
}

Tensor squeeze(const Tensor& t, int64_t dim) {
  int64_t d = wrap_dim(dim, t.dim());
  Shape s = t.sizes();
  if (t.dim() > 0 && t.sizes()[d] == 1) s.erase(s.begin() + d);
  return detail::rename_grad_fn(view(t, s), "SqueezeBackward1");
}

Tensor unsqueeze(const Tensor& t, int64_t dim) {
  int64_t d = wrap_dim(dim, t.dim() + 1);
  Shape s = t.sizes();
  s.insert(s.begin() + d, 1);
  return detail::rename_grad_fn(view(t, s), "UnsqueezeBackward0");
}

namespace {
// Gradient of a selected slice: zeros elsewhere.
struct SelectBackward0 final : Node {
  Shape in_shape;
  int64_t dim = 0, index = 0;
  std::string name() const override { return "SelectBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor out = zeros(in_shape, g[0].dtype());
    select(out, dim, index).copy_(g[0]);
    return {out};
  }
};
}  // namespace

Tensor select(const Tensor& t, int64_t dim, int64_t index) {
  if (t.dim() == 0)
    throw IndexError(
        "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
        "C++ to convert a 0-dim tensor to a number");
  const int64_t d = wrap_dim(dim, t.dim());
  const int64_t n = t.sizes()[d];
  if (index < -n || index >= n)
    throw IndexError(
        detail::cat("index ", index, " is out of bounds for dimension ", d, " with size ", n));
  if (index < 0) index += n;
  Shape sizes = t.sizes(), strides = t.strides();
  const int64_t offset = t.storage_offset() + index * strides[d];
  sizes.erase(sizes.begin() + d);
  strides.erase(strides.begin() + d);
  Tensor out = make_view(t, sizes, strides, offset);
  if (!autograd::compute_requires_grad({&t})) return detail::track_view(out, t);
  auto node = make_node<SelectBackward0>();
  node->in_shape = t.sizes();
  node->dim = d;
  node->index = index;
  return record_view(out, t, node);
}

Tensor detach(const Tensor& t) { return make_view(t, t.sizes(), t.strides(), t.storage_offset()); }

}  // namespace fastgrad
