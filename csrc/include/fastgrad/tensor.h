#pragma once
// Tensor: the handle users hold. It is a shared pointer to a TensorImpl (dtype, shape, strides,
// offset into a shared Storage, autograd metadata); copying a Tensor copies the handle, not the
// data. Views (transpose, reshape of contiguous data, expand, detach) alias the same Storage.
//
//   using namespace fastgrad;
//   Tensor w = tensor({1.0f}).requires_grad_();
//   Tensor loss = (w * 3.0 - 5.0).pow(2.0).sum();
//   loss.backward();
//   std::cout << w.grad().item<float>();   // 2 * (3w - 5) * 3 = -12
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fastgrad/dtype.h"
#include "fastgrad/errors.h"
#include "fastgrad/export.h"
#include "fastgrad/pool.h"
#include "fastgrad/scalar.h"
#include "fastgrad/shape.h"

namespace fastgrad {

class TensorImpl;
class Node;
class Tensor;
using TensorList = std::vector<Tensor>;

class FASTGRAD_API Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}
  // Handles on the heap are what each Python tensor object holds: from the small-block pool.
  static void* operator new(std::size_t bytes) { return detail::pool_allocate(bytes); }
  static void operator delete(void* p, std::size_t bytes) { detail::pool_free(p, bytes); }

  bool defined() const { return static_cast<bool>(impl_); }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // ---- metadata (the inline ones are defined at the end of tensor_impl.h)
  inline ScalarType dtype() const;
  inline int64_t dim() const;
  inline const Shape& sizes() const;
  inline const Shape& strides() const;
  int64_t size(int64_t dim) const;
  int64_t stride(int64_t dim) const;
  inline int64_t numel() const;
  inline int64_t storage_offset() const;
  inline bool is_contiguous() const;
  inline void* data_ptr() const;  // first element (storage base + offset)
  template <typename T>
  T* data() const {
    return static_cast<T*>(data_ptr());
  }
  // Value of a one-element tensor.
  template <typename T>
  T item() const;
  Scalar item() const;
  uint32_t version() const;

  // ---- autograd
  inline bool requires_grad() const;
  // Only on leaves, like PyTorch; returns *this for chaining.
  const Tensor& set_requires_grad(bool requires_grad) const;
  const Tensor& requires_grad_(bool requires_grad = true) const {
    return set_requires_grad(requires_grad);
  }
  bool is_leaf() const;
  std::shared_ptr<Node> grad_fn() const;
  uint32_t output_nr() const;
  Tensor grad() const;
  void set_grad(const Tensor& grad) const;
  void retain_grad() const;
  bool retains_grad() const;
  void backward(const Tensor& gradient = Tensor(), std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false) const;
  Tensor detach() const;
  const Tensor& detach_() const;
  // Same data and version counter, no history ("x.data" uses a fresh version counter).
  Tensor variable_data() const;
  // Runs `hook(grad)` when the gradient for this tensor is computed; a defined result replaces it.
  void register_hook(std::function<Tensor(const Tensor&)> hook) const;
  // Leaves only: runs `hook(*this)` after a backward pass has accumulated into `grad()`
  // (data-parallel training starts a bucket's reduction from here).
  void register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const;

  // ---- operations (each is also a free function in fastgrad/ops.h)
  Tensor operator-() const;
  Tensor neg() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor sqrt() const;
  Tensor log1p() const;
  Tensor expm1() const;
  Tensor abs() const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max) const;
  Tensor add(const Tensor& other) const;
  Tensor sub(const Tensor& other) const;
  Tensor mul(const Tensor& other) const;
  Tensor div(const Tensor& other) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(const Scalar& exponent) const;
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;
  // Comparisons give bool tensors.
  Tensor gt(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor ge(const Tensor& other) const;
  Tensor le(const Tensor& other) const;
  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor bitwise_and(const Tensor& other) const;
  Tensor bitwise_or(const Tensor& other) const;
  Tensor bitwise_xor(const Tensor& other) const;
  Tensor bitwise_not() const;
  Tensor sum() const;
  Tensor sum(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor max() const;
  Tensor min() const;
  // (values, indices) along one dim.
  std::pair<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  std::pair<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor prod() const;
  Tensor prod(int64_t dim, bool keepdim = false) const;
  Tensor var(const std::vector<int64_t>& dims = {}, double correction = 1,
             bool keepdim = false) const;
  Tensor std(const std::vector<int64_t>& dims = {}, double correction = 1,
             bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor cumsum(int64_t dim) const;
  Tensor logsumexp(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;
  Tensor norm(double p = 2, const std::vector<int64_t>& dims = {}, bool keepdim = false) const;
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor reshape(const Shape& shape) const;
  Tensor view(const Shape& shape) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor expand(const Shape& shape) const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  // t[index] along dim (the dim disappears); operator[] is select(0, index).
  Tensor select(int64_t dim, int64_t index) const;
  Tensor operator[](int64_t index) const;
  // t[start:end:step] along dim, as a view.
  Tensor slice(int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
               int64_t step = 1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor flip(const std::vector<int64_t>& dims) const;
  // Advanced indexing: one int64 index tensor (or undefined for ":") per leading dim.
  Tensor index(const TensorList& indices) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor masked_fill(const Tensor& mask, const Scalar& value) const;
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor to(ScalarType dtype) const;

  // In-place: write into this tensor's storage and bump its version counter.
  const Tensor& add_(const Tensor& other, const Scalar& alpha = 1) const;
  const Tensor& sub_(const Tensor& other, const Scalar& alpha = 1) const;
  const Tensor& mul_(const Tensor& other) const;
  const Tensor& div_(const Tensor& other) const;
  const Tensor& zero_() const;
  const Tensor& fill_(const Scalar& value) const;
  const Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max) const;
  const Tensor& copy_(const Tensor& src) const;
  const Tensor& masked_fill_(const Tensor& mask, const Scalar& value) const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

FASTGRAD_API Tensor operator+(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor operator-(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor operator*(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor operator/(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor operator+(const Tensor& a, const Scalar& b);
FASTGRAD_API Tensor operator-(const Tensor& a, const Scalar& b);
FASTGRAD_API Tensor operator*(const Tensor& a, const Scalar& b);
FASTGRAD_API Tensor operator/(const Tensor& a, const Scalar& b);
FASTGRAD_API Tensor operator+(const Scalar& a, const Tensor& b);
FASTGRAD_API Tensor operator-(const Scalar& a, const Tensor& b);
FASTGRAD_API Tensor operator*(const Scalar& a, const Tensor& b);
FASTGRAD_API Tensor operator/(const Scalar& a, const Tensor& b);
// Compound assignment is in place (add_, ...): autograd-aware, bumps the version counter.
FASTGRAD_API const Tensor& operator+=(const Tensor& a, const Tensor& b);
FASTGRAD_API const Tensor& operator-=(const Tensor& a, const Tensor& b);
FASTGRAD_API const Tensor& operator*=(const Tensor& a, const Tensor& b);
FASTGRAD_API const Tensor& operator/=(const Tensor& a, const Tensor& b);
FASTGRAD_API const Tensor& operator+=(const Tensor& a, const Scalar& b);
FASTGRAD_API const Tensor& operator-=(const Tensor& a, const Scalar& b);
FASTGRAD_API const Tensor& operator*=(const Tensor& a, const Scalar& b);
FASTGRAD_API const Tensor& operator/=(const Tensor& a, const Scalar& b);
// Elementwise comparisons (bool tensors, as in PyTorch; use is_same for identity).
FASTGRAD_API Tensor operator<(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor operator>(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor operator<=(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor operator>=(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor operator==(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor operator!=(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor operator<(const Tensor& a, const Scalar& b);
FASTGRAD_API Tensor operator>(const Tensor& a, const Scalar& b);
FASTGRAD_API Tensor operator<=(const Tensor& a, const Scalar& b);
FASTGRAD_API Tensor operator>=(const Tensor& a, const Scalar& b);
FASTGRAD_API Tensor operator==(const Tensor& a, const Scalar& b);
FASTGRAD_API Tensor operator!=(const Tensor& a, const Scalar& b);
// Bitwise on int64, logical on bool.
FASTGRAD_API Tensor operator&(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor operator|(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor operator^(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor operator~(const Tensor& a);

}  // namespace fastgrad

// The definitions of Tensor's inline accessors, which need TensorImpl: a small op calls them
// dozens of times (a scalar training step ~400 times), and as calls into core/tensor.cpp
// they cost 4% of such a step. tensor_impl.h includes this header first; #pragma once makes
// either order of inclusion work.
#include "fastgrad/tensor_impl.h"
