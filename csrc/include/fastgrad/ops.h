#pragma once
// Every operation as a free function. Each validates and promotes its inputs, runs a kernel,
// and (when grad mode is on and an input requires grad) records its backward Node.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

#include "fastgrad/tensor.h"

namespace fastgrad {

// ---- creation (creation.cpp)
FASTGRAD_API Tensor empty(const Shape& shape, ScalarType dtype = ScalarType::Float32);
FASTGRAD_API Tensor zeros(const Shape& shape, ScalarType dtype = ScalarType::Float32);
FASTGRAD_API Tensor ones(const Shape& shape, ScalarType dtype = ScalarType::Float32);
FASTGRAD_API Tensor full(const Shape& shape, const Scalar& value,
                         ScalarType dtype = ScalarType::Float32);
FASTGRAD_API Tensor empty_like(const Tensor& t, std::optional<ScalarType> dtype = std::nullopt);
FASTGRAD_API Tensor zeros_like(const Tensor& t, std::optional<ScalarType> dtype = std::nullopt);
FASTGRAD_API Tensor ones_like(const Tensor& t, std::optional<ScalarType> dtype = std::nullopt);
FASTGRAD_API Tensor full_like(const Tensor& t, const Scalar& value,
                              std::optional<ScalarType> dtype = std::nullopt);
// 0-dim tensor holding `value`.
FASTGRAD_API Tensor scalar_tensor(const Scalar& value, ScalarType dtype);
// A Python number as an operand: 0-dim, flagged so it does not widen the other operand.
FASTGRAD_API Tensor wrapped_scalar(const Scalar& value);
// 1-D tensor from values (C++ convenience).
FASTGRAD_API Tensor tensor(const std::vector<float>& values);
FASTGRAD_API Tensor tensor(const std::vector<double>& values);
// A tensor of `shape` from row-major values (C++ convenience).
FASTGRAD_API Tensor tensor(const std::vector<float>& values, const Shape& shape);
FASTGRAD_API Tensor tensor(const std::vector<double>& values, const Shape& shape);
// Braced lists pick the dtype from the literals: tensor({1.0f, 2.0f}) is float32,
// tensor({1.0, 2.0}) float64.
inline Tensor tensor(std::initializer_list<float> values) {
  return tensor(std::vector<float>(values));
}
inline Tensor tensor(std::initializer_list<double> values) {
  return tensor(std::vector<double>(values));
}
inline Tensor tensor(std::initializer_list<float> values, const Shape& shape) {
  return tensor(std::vector<float>(values), shape);
}
inline Tensor tensor(std::initializer_list<double> values, const Shape& shape) {
  return tensor(std::vector<double>(values), shape);
}
FASTGRAD_API Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
                           std::optional<ScalarType> dtype = std::nullopt);
FASTGRAD_API Tensor linspace(double start, double end, int64_t steps,
                             ScalarType dtype = ScalarType::Float32);
FASTGRAD_API Tensor rand(const Shape& shape, ScalarType dtype = ScalarType::Float32);
FASTGRAD_API Tensor randn(const Shape& shape, ScalarType dtype = ScalarType::Float32);
FASTGRAD_API void manual_seed(uint64_t seed);
// Wraps existing memory (e.g. a NumPy buffer); `owner` keeps it alive. Strides in elements.
FASTGRAD_API Tensor from_blob(void* data, const Shape& sizes, const Shape& strides,
                              ScalarType dtype, std::shared_ptr<void> owner, size_t storage_nbytes);

// ---- type conversion and copies (copy.cpp)
FASTGRAD_API Tensor to_dtype(const Tensor& t, ScalarType dtype);
FASTGRAD_API Tensor clone(const Tensor& t);
FASTGRAD_API Tensor contiguous(const Tensor& t);

// ---- unary (unary.cpp)
FASTGRAD_API Tensor neg(const Tensor& t);
FASTGRAD_API Tensor exp(const Tensor& t);
FASTGRAD_API Tensor log(const Tensor& t);
FASTGRAD_API Tensor sin(const Tensor& t);
FASTGRAD_API Tensor cos(const Tensor& t);
FASTGRAD_API Tensor tanh(const Tensor& t);
FASTGRAD_API Tensor sigmoid(const Tensor& t);
FASTGRAD_API Tensor relu(const Tensor& t);
FASTGRAD_API Tensor sqrt(const Tensor& t);
FASTGRAD_API Tensor log1p(const Tensor& t);
FASTGRAD_API Tensor expm1(const Tensor& t);
FASTGRAD_API Tensor abs(const Tensor& t);
FASTGRAD_API Tensor clamp(const Tensor& t, std::optional<Scalar> min, std::optional<Scalar> max);

// ---- binary with broadcasting and type promotion (binary.cpp, pow.cpp, compare.cpp)
FASTGRAD_API Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
FASTGRAD_API Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
// other - alpha * self (Python's `number - tensor`).
FASTGRAD_API Tensor rsub(const Tensor& self, const Tensor& other, const Scalar& alpha = 1);
FASTGRAD_API Tensor mul(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor div(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor pow(const Tensor& base, const Tensor& exponent);
FASTGRAD_API Tensor pow(const Tensor& base, const Scalar& exponent);
FASTGRAD_API Tensor pow(const Scalar& base, const Tensor& exponent);
FASTGRAD_API Tensor maximum(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor minimum(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor gt(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor lt(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor ge(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor le(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor eq(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor ne(const Tensor& a, const Tensor& b);
// Bitwise on int64, logical on bool (`&`, `|`, `^`, `~` in Python).
FASTGRAD_API Tensor bitwise_and(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor bitwise_or(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor bitwise_xor(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor bitwise_not(const Tensor& t);
// The dtype PyTorch gives a binary op of a and b.
FASTGRAD_API ScalarType result_type(const Tensor& a, const Tensor& b);

// ---- reductions (reduce.cpp)
FASTGRAD_API Tensor sum(const Tensor& t, std::optional<ScalarType> dtype = std::nullopt);
FASTGRAD_API Tensor sum(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim = false,
                        std::optional<ScalarType> dtype = std::nullopt);
FASTGRAD_API Tensor mean(const Tensor& t);
FASTGRAD_API Tensor mean(const Tensor& t, const std::vector<int64_t>& dims, bool keepdim = false);
FASTGRAD_API Tensor max(const Tensor& t);
FASTGRAD_API Tensor min(const Tensor& t);
// (values, indices) along one dim.
FASTGRAD_API std::pair<Tensor, Tensor> max(const Tensor& t, int64_t dim, bool keepdim = false);
FASTGRAD_API std::pair<Tensor, Tensor> min(const Tensor& t, int64_t dim, bool keepdim = false);
// Sums a broadcast gradient back to `shape` (leading dims and size-1 dims).
FASTGRAD_API Tensor sum_to(const Tensor& t, const Shape& shape);

// ---- linear algebra (matmul.cpp)
FASTGRAD_API Tensor matmul(const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor mm(const Tensor& a, const Tensor& b);

// ---- views (view.cpp): share storage with their input
FASTGRAD_API Tensor view(const Tensor& t, const Shape& shape);
FASTGRAD_API Tensor reshape(const Tensor& t, const Shape& shape);
FASTGRAD_API Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1);
FASTGRAD_API Tensor t(const Tensor& t);
FASTGRAD_API Tensor permute(const Tensor& t, const std::vector<int64_t>& dims);
FASTGRAD_API Tensor expand(const Tensor& t, const Shape& shape);
FASTGRAD_API Tensor squeeze(const Tensor& t, int64_t dim);
FASTGRAD_API Tensor unsqueeze(const Tensor& t, int64_t dim);
FASTGRAD_API Tensor detach(const Tensor& t);
// The slice at `index` along `dim`, without that dim (t[i] in Python).
FASTGRAD_API Tensor select(const Tensor& t, int64_t dim, int64_t index);

// ---- slicing and joining (join.cpp)
// t[start:end:step] along dim, as a view (Python slice semantics for start/end; step > 0).
FASTGRAD_API Tensor slice(const Tensor& t, int64_t dim, std::optional<int64_t> start,
                          std::optional<int64_t> end, int64_t step = 1);
FASTGRAD_API Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length);
FASTGRAD_API Tensor cat(const TensorList& tensors, int64_t dim = 0);
FASTGRAD_API Tensor stack(const TensorList& tensors, int64_t dim = 0);
FASTGRAD_API Tensor flip(const Tensor& t, const std::vector<int64_t>& dims);

// ---- indexing (index.cpp)
// Advanced indexing t[i0, i1, ...]: one entry per leading dim of t, undefined for a full slice;
// the defined int64 index tensors broadcast together (NumPy rules for where the result dims go).
FASTGRAD_API Tensor index(const Tensor& t, const TensorList& indices);
// Out-of-place t with t[indices] = values (or += with accumulate).
FASTGRAD_API Tensor index_put(const Tensor& t, const TensorList& indices, const Tensor& values,
                              bool accumulate = false);
FASTGRAD_API Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index);
FASTGRAD_API Tensor gather(const Tensor& t, int64_t dim, const Tensor& index);
// Coordinates of the nonzero elements, shape (n, t.dim()).
FASTGRAD_API Tensor nonzero(const Tensor& t);
FASTGRAD_API Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
FASTGRAD_API Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value);
// In-place forms (inplace.cpp): autograd-aware, including writes through views.
FASTGRAD_API const Tensor& index_put_(const Tensor& t, const TensorList& indices,
                                      const Tensor& values, bool accumulate = false);
FASTGRAD_API const Tensor& masked_fill_(const Tensor& t, const Tensor& mask, const Tensor& value);

// ---- more reductions (reduce_more.cpp, softmax.cpp)
FASTGRAD_API Tensor prod(const Tensor& t);
FASTGRAD_API Tensor prod(const Tensor& t, int64_t dim, bool keepdim = false);
FASTGRAD_API Tensor var(const Tensor& t, const std::vector<int64_t>& dims, double correction = 1,
                        bool keepdim = false);
FASTGRAD_API Tensor std(const Tensor& t, const std::vector<int64_t>& dims, double correction = 1,
                        bool keepdim = false);
// dim < 0 with all_dims: over the flattened tensor.
FASTGRAD_API Tensor argmax(const Tensor& t, std::optional<int64_t> dim = std::nullopt,
                           bool keepdim = false);
FASTGRAD_API Tensor argmin(const Tensor& t, std::optional<int64_t> dim = std::nullopt,
                           bool keepdim = false);
FASTGRAD_API Tensor cumsum(const Tensor& t, int64_t dim);
FASTGRAD_API Tensor logsumexp(const Tensor& t, const std::vector<int64_t>& dims,
                              bool keepdim = false);
FASTGRAD_API Tensor softmax(const Tensor& t, int64_t dim);
FASTGRAD_API Tensor log_softmax(const Tensor& t, int64_t dim);
// p-norm over dims (all when empty); p may be inf.
FASTGRAD_API Tensor norm(const Tensor& t, double p = 2, const std::vector<int64_t>& dims = {},
                         bool keepdim = false);

// ---- losses (loss.cpp); reduction as in PyTorch
enum class Reduction { None = 0, Mean = 1, Sum = 2 };
FASTGRAD_API Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                                         const Tensor& weight = Tensor(),
                                         Reduction reduction = Reduction::Mean);
FASTGRAD_API Tensor mse_loss(const Tensor& input, const Tensor& target,
                             Reduction reduction = Reduction::Mean);

}  // namespace fastgrad
