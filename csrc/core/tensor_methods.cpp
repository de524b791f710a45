// Tensor's method forms and operators: each forwards to the free function in fastgrad/ops.h.
#include "fastgrad/ops.h"
#include "fastgrad/tensor.h"

namespace fastgrad {

Tensor Tensor::operator-() const { return fastgrad::neg(*this); }
Tensor Tensor::neg() const { return fastgrad::neg(*this); }
Tensor Tensor::exp() const { return fastgrad::exp(*this); }
Tensor Tensor::log() const { return fastgrad::log(*this); }
Tensor Tensor::sin() const { return fastgrad::sin(*this); }
Tensor Tensor::cos() const { return fastgrad::cos(*this); }
Tensor Tensor::tanh() const { return fastgrad::tanh(*this); }
Tensor Tensor::sigmoid() const { return fastgrad::sigmoid(*this); }
Tensor Tensor::relu() const { return fastgrad::relu(*this); }
Tensor Tensor::sqrt() const { return fastgrad::sqrt(*this); }
Tensor Tensor::abs() const { return fastgrad::abs(*this); }
Tensor Tensor::clamp(std::optional<Scalar> min, std::optional<Scalar> max) const {
  return fastgrad::clamp(*this, min, max);
}
Tensor Tensor::add(const Tensor& o) const { return fastgrad::add(*this, o); }
Tensor Tensor::sub(const Tensor& o) const { return fastgrad::sub(*this, o); }
Tensor Tensor::mul(const Tensor& o) const { return fastgrad::mul(*this, o); }
Tensor Tensor::div(const Tensor& o) const { return fastgrad::div(*this, o); }
Tensor Tensor::pow(const Tensor& e) const { return fastgrad::pow(*this, e); }
Tensor Tensor::pow(const Scalar& e) const { return fastgrad::pow(*this, e); }
Tensor Tensor::maximum(const Tensor& o) const { return fastgrad::maximum(*this, o); }
Tensor Tensor::minimum(const Tensor& o) const { return fastgrad::minimum(*this, o); }
Tensor Tensor::sum() const { return fastgrad::sum(*this); }
Tensor Tensor::sum(const std::vector<int64_t>& dims, bool keepdim) const {
  return fastgrad::sum(*this, dims, keepdim);
}
Tensor Tensor::mean() const { return fastgrad::mean(*this); }
Tensor Tensor::mean(const std::vector<int64_t>& dims, bool keepdim) const {
  return fastgrad::mean(*this, dims, keepdim);
}
Tensor Tensor::max() const { return fastgrad::max(*this); }
Tensor Tensor::min() const { return fastgrad::min(*this); }
Tensor Tensor::matmul(const Tensor& o) const { return fastgrad::matmul(*this, o); }
Tensor Tensor::mm(const Tensor& o) const { return fastgrad::mm(*this, o); }
Tensor Tensor::reshape(const Shape& s) const { return fastgrad::reshape(*this, s); }
Tensor Tensor::view(const Shape& s) const { return fastgrad::view(*this, s); }
Tensor Tensor::transpose(int64_t a, int64_t b) const { return fastgrad::transpose(*this, a, b); }
Tensor Tensor::t() const { return fastgrad::t(*this); }
Tensor Tensor::permute(const std::vector<int64_t>& d) const { return fastgrad::permute(*this, d); }
Tensor Tensor::expand(const Shape& s) const { return fastgrad::expand(*this, s); }
Tensor Tensor::squeeze(int64_t d) const { return fastgrad::squeeze(*this, d); }
Tensor Tensor::unsqueeze(int64_t d) const { return fastgrad::unsqueeze(*this, d); }
Tensor Tensor::contiguous() const { return fastgrad::contiguous(*this); }
Tensor Tensor::clone() const { return fastgrad::clone(*this); }
Tensor Tensor::to(ScalarType dtype) const { return fastgrad::to_dtype(*this, dtype); }

Tensor Tensor::log1p() const { return fastgrad::log1p(*this); }
Tensor Tensor::expm1() const { return fastgrad::expm1(*this); }
Tensor Tensor::gt(const Tensor& o) const { return fastgrad::gt(*this, o); }
Tensor Tensor::lt(const Tensor& o) const { return fastgrad::lt(*this, o); }
Tensor Tensor::ge(const Tensor& o) const { return fastgrad::ge(*this, o); }
Tensor Tensor::le(const Tensor& o) const { return fastgrad::le(*this, o); }
Tensor Tensor::eq(const Tensor& o) const { return fastgrad::eq(*this, o); }
Tensor Tensor::ne(const Tensor& o) const { return fastgrad::ne(*this, o); }
Tensor Tensor::bitwise_and(const Tensor& o) const { return fastgrad::bitwise_and(*this, o); }
Tensor Tensor::bitwise_or(const Tensor& o) const { return fastgrad::bitwise_or(*this, o); }
Tensor Tensor::bitwise_xor(const Tensor& o) const { return fastgrad::bitwise_xor(*this, o); }
Tensor Tensor::bitwise_not() const { return fastgrad::bitwise_not(*this); }
std::pair<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  return fastgrad::max(*this, dim, keepdim);
}
std::pair<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const {
  return fastgrad::min(*this, dim, keepdim);
}
Tensor Tensor::prod() const { return fastgrad::prod(*this); }
Tensor Tensor::prod(int64_t dim, bool keepdim) const { return fastgrad::prod(*this, dim, keepdim); }
Tensor Tensor::var(const std::vector<int64_t>& dims, double correction, bool keepdim) const {
  return fastgrad::var(*this, dims, correction, keepdim);
}
Tensor Tensor::std(const std::vector<int64_t>& dims, double correction, bool keepdim) const {
  return fastgrad::std(*this, dims, correction, keepdim);
}
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const {
  return fastgrad::argmax(*this, dim, keepdim);
}
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const {
  return fastgrad::argmin(*this, dim, keepdim);
}
Tensor Tensor::cumsum(int64_t dim) const { return fastgrad::cumsum(*this, dim); }
Tensor Tensor::logsumexp(const std::vector<int64_t>& dims, bool keepdim) const {
  return fastgrad::logsumexp(*this, dims, keepdim);
}
Tensor Tensor::softmax(int64_t dim) const { return fastgrad::softmax(*this, dim); }
Tensor Tensor::log_softmax(int64_t dim) const { return fastgrad::log_softmax(*this, dim); }
Tensor Tensor::norm(double p, const std::vector<int64_t>& dims, bool keepdim) const {
  return fastgrad::norm(*this, p, dims, keepdim);
}
Tensor Tensor::select(int64_t dim, int64_t index) const {
  return fastgrad::select(*this, dim, index);
}
Tensor Tensor::operator[](int64_t index) const { return fastgrad::select(*this, 0, index); }
Tensor Tensor::slice(int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end,
                     int64_t step) const {
  return fastgrad::slice(*this, dim, start, end, step);
}
Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  return fastgrad::narrow(*this, dim, start, length);
}
Tensor Tensor::flip(const std::vector<int64_t>& dims) const { return fastgrad::flip(*this, dims); }
Tensor Tensor::index(const TensorList& indices) const { return fastgrad::index(*this, indices); }
Tensor Tensor::index_select(int64_t dim, const Tensor& index) const {
  return fastgrad::index_select(*this, dim, index);
}
Tensor Tensor::gather(int64_t dim, const Tensor& index) const {
  return fastgrad::gather(*this, dim, index);
}
Tensor Tensor::masked_fill(const Tensor& mask, const Scalar& value) const {
  return fastgrad::masked_fill(*this, mask, wrapped_scalar(value));
}
const Tensor& Tensor::masked_fill_(const Tensor& mask, const Scalar& value) const {
  return fastgrad::masked_fill_(*this, mask, wrapped_scalar(value));
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, const Scalar& b) { return add(a, wrapped_scalar(b)); }
Tensor operator-(const Tensor& a, const Scalar& b) { return sub(a, wrapped_scalar(b)); }
Tensor operator*(const Tensor& a, const Scalar& b) { return mul(a, wrapped_scalar(b)); }
Tensor operator/(const Tensor& a, const Scalar& b) { return div(a, wrapped_scalar(b)); }
Tensor operator+(const Scalar& a, const Tensor& b) { return add(wrapped_scalar(a), b); }
Tensor operator-(const Scalar& a, const Tensor& b) { return sub(wrapped_scalar(a), b); }
Tensor operator*(const Scalar& a, const Tensor& b) { return mul(wrapped_scalar(a), b); }
Tensor operator/(const Scalar& a, const Tensor& b) { return div(wrapped_scalar(a), b); }

const Tensor& operator+=(const Tensor& a, const Tensor& b) { return a.add_(b); }
const Tensor& operator-=(const Tensor& a, const Tensor& b) { return a.sub_(b); }
const Tensor& operator*=(const Tensor& a, const Tensor& b) { return a.mul_(b); }
const Tensor& operator/=(const Tensor& a, const Tensor& b) { return a.div_(b); }
const Tensor& operator+=(const Tensor& a, const Scalar& b) { return a.add_(wrapped_scalar(b)); }
const Tensor& operator-=(const Tensor& a, const Scalar& b) { return a.sub_(wrapped_scalar(b)); }
const Tensor& operator*=(const Tensor& a, const Scalar& b) { return a.mul_(wrapped_scalar(b)); }
const Tensor& operator/=(const Tensor& a, const Scalar& b) { return a.div_(wrapped_scalar(b)); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Scalar& b) { return lt(a, wrapped_scalar(b)); }
Tensor operator>(const Tensor& a, const Scalar& b) { return gt(a, wrapped_scalar(b)); }
Tensor operator<=(const Tensor& a, const Scalar& b) { return le(a, wrapped_scalar(b)); }
Tensor operator>=(const Tensor& a, const Scalar& b) { return ge(a, wrapped_scalar(b)); }
Tensor operator==(const Tensor& a, const Scalar& b) { return eq(a, wrapped_scalar(b)); }
Tensor operator!=(const Tensor& a, const Scalar& b) { return ne(a, wrapped_scalar(b)); }
Tensor operator&(const Tensor& a, const Tensor& b) { return bitwise_and(a, b); }
Tensor operator|(const Tensor& a, const Tensor& b) { return bitwise_or(a, b); }
Tensor operator^(const Tensor& a, const Tensor& b) { return bitwise_xor(a, b); }
Tensor operator~(const Tensor& a) { return bitwise_not(a); }

}  // namespace fastgrad
