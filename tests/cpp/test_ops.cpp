// Forward values of the public C++ API: operators, methods, free functions, creation.
#include "helpers.h"

using fg::Tensor;

TEST_CASE("ops: creation") {
  CHECK_VALUES(fg::zeros({2, 2}), {0, 0, 0, 0});
  CHECK_VALUES(fg::ones({3}), {1, 1, 1});
  CHECK_VALUES(fg::full({2}, 2.5), {2.5, 2.5});
  CHECK_VALUES(fg::arange(0, 5, 2), {0, 2, 4});
  CHECK_VALUES(fg::linspace(0, 1, 5), {0, 0.25, 0.5, 0.75, 1});
  CHECK_VALUES(fg::tensor({1.0f, 2.0f, 3.0f, 4.0f}, {2, 2}).t(), {1, 3, 2, 4});
  CHECK(fg::zeros({2, 3}).sizes() == fg::Shape({2, 3}));
  CHECK(fg::zeros({2}).dtype() == fg::ScalarType::Float32);
  CHECK(fg::arange(0, 3, 1).dtype() == fg::ScalarType::Int64);
  CHECK(fg::tensor({1.0, 2.0}).dtype() == fg::ScalarType::Float64);
  fg::manual_seed(0);
  Tensor r = fg::rand({1000});
  CHECK(r.min().item<float>() >= 0.0f);
  CHECK(r.max().item<float>() < 1.0f);
  CHECK_CLOSE(fg::randn({4000}).mean().item<float>(), 0.0, 0.1);
}

TEST_CASE("ops: arithmetic operators with tensors and scalars") {
  Tensor a = fg::tensor({1.0f, 2.0f, 3.0f});
  Tensor b = fg::tensor({4.0f, 5.0f, 6.0f});
  CHECK_VALUES(a + b, {5, 7, 9});
  CHECK_VALUES(a - b, {-3, -3, -3});
  CHECK_VALUES(a * b, {4, 10, 18});
  CHECK_VALUES(b / a, {4, 2.5, 2});
  CHECK_VALUES(-a, {-1, -2, -3});
  CHECK_VALUES(a * 2.0 + 1, {3, 5, 7});
  CHECK_VALUES(1.0 - a, {0, -1, -2});
  CHECK_VALUES(6 / a, {6, 3, 2});
  CHECK((a * 2.5).dtype() == fg::ScalarType::Float32);  // a number does not widen
  CHECK((fg::arange(0, 3, 1) * 0.5).dtype() == fg::ScalarType::Float32);
  Tensor c = a.clone();
  c += b;
  c *= 2;
  c -= 1.0;
  c /= a;
  CHECK_VALUES(c, {9, 6.5, 17.0 / 3});
  CHECK_EQ(c.version(), 4u);
}

TEST_CASE("ops: int64 arithmetic wraps around on overflow, as in PyTorch") {
  // Signed overflow is undefined in C++: the library is built with -fwrapv, and the sanitizer
  // run of these tests (UBSan) fails if any kernel overflows without it.
  const int64_t max = std::numeric_limits<int64_t>::max(),
                min = std::numeric_limits<int64_t>::min();
  auto i64 = [](int64_t v) { return fg::full({1}, fg::Scalar(v), fg::ScalarType::Int64); };
  CHECK_EQ((i64(max) + 1).item<int64_t>(), min);
  CHECK_EQ((i64(min) - 1).item<int64_t>(), max);
  CHECK_EQ(i64(0).sub_(i64(min)).item<int64_t>(), min);
  CHECK_EQ((i64(int64_t{1} << 62) * 4).item<int64_t>(), 0);
  CHECK_EQ((-i64(min)).item<int64_t>(), min);
  CHECK_EQ(fg::abs(i64(min)).item<int64_t>(), min);
  CHECK_EQ(fg::cat({i64(max), i64(1)}, 0).sum().item<int64_t>(), min);
  CHECK_EQ(fg::cat({i64(int64_t{1} << 62), i64(4)}, 0).prod().item<int64_t>(), 0);
  CHECK_EQ(fg::cat({i64(max), i64(1)}, 0).cumsum(0)[1].item<int64_t>(), min);
  CHECK_EQ(
      fg::matmul(i64(int64_t{1} << 62).reshape({1, 1}), i64(4).reshape({1, 1})).item<int64_t>(), 0);
}

TEST_CASE("ops: broadcasting and promotion") {
  Tensor col = fg::tensor({1.0, 2.0}).reshape({2, 1});
  Tensor row = fg::tensor({10.0f, 20.0f, 30.0f});
  Tensor s = col + row;
  CHECK(s.sizes() == fg::Shape({2, 3}));
  CHECK(s.dtype() == fg::ScalarType::Float64);
  CHECK_VALUES(s, {11, 21, 31, 12, 22, 32});
  CHECK(fg::result_type(fg::arange(0, 2, 1), row) == fg::ScalarType::Float32);
}

TEST_CASE("ops: comparisons and logic") {
  Tensor a = fg::tensor({1.0f, 2.0f, 3.0f});
  Tensor b = fg::tensor({3.0f, 2.0f, 1.0f});
  CHECK((a < b).dtype() == fg::ScalarType::Bool);
  CHECK_VALUES(a < b, {1, 0, 0});
  CHECK_VALUES(a >= b, {0, 1, 1});
  CHECK_VALUES(a == b, {0, 1, 0});
  CHECK_VALUES(a != 2.0, {1, 0, 1});
  CHECK_VALUES(a > 1, {0, 1, 1});
  CHECK_VALUES((a > 1) & (a < 3), {0, 1, 0});
  CHECK_VALUES((a < 2) | (a > 2), {1, 0, 1});
  CHECK_VALUES(~(a > 1), {1, 0, 0});
  CHECK_VALUES(fg::arange(0, 4, 1) ^ fg::arange(1, 5, 1), {1, 3, 1, 7});
  CHECK_VALUES(fg::where(a > 1, a, b), {3, 2, 3});
  CHECK_VALUES(a.masked_fill(a > 2, 0.0), {1, 2, 0});
  CHECK_VALUES(fg::maximum(a, b), {3, 2, 3});
}

TEST_CASE("ops: unary math") {
  Tensor x = fg::tensor({-1.0, 0.0, 2.0});
  CHECK_VALUES(x.exp(), {std::exp(-1.0), 1, std::exp(2.0)});
  CHECK_VALUES(x.relu(), {0, 0, 2});
  CHECK_VALUES(x.abs(), {1, 0, 2});
  CHECK_VALUES(x.sigmoid(), {1 / (1 + std::exp(1.0)), 0.5, 1 / (1 + std::exp(-2.0))});
  CHECK_VALUES(x.tanh(), {std::tanh(-1.0), 0, std::tanh(2.0)});
  CHECK_VALUES(x.clamp(-0.5, 1.0), {-0.5, 0, 1});
  CHECK_VALUES(x.pow(2), {1, 0, 4});
  CHECK_VALUES(fg::pow(2.0, x), {0.5, 1, 4});
  CHECK_VALUES(fg::tensor({1.0, 4.0}).sqrt().log(), {0, std::log(2.0)});
  CHECK_VALUES(fg::tensor({1e-10}).log1p(), {1e-10});
  // Extremes: sigmoid saturates exactly, as PyTorch's does.
  CHECK_VALUES(fg::tensor({-1000.0f, 1000.0f}).sigmoid(), {0, 1});
}

TEST_CASE("ops: reductions") {
  Tensor x = fg::arange(1, 7, 1).to(fg::ScalarType::Float32).reshape({2, 3});
  CHECK_VALUES(x.sum(), {21});
  CHECK_VALUES(x.sum({0}), {5, 7, 9});
  CHECK_VALUES(x.sum({1}, true), {6, 15});
  CHECK(x.sum({1}, true).sizes() == fg::Shape({2, 1}));
  CHECK_VALUES(x.mean({1}), {2, 5});
  CHECK_VALUES(x.prod(), {720});
  CHECK_VALUES(x.max(), {6});
  auto [values_, indices] = x.min(1);
  CHECK_VALUES(values_, {1, 4});
  CHECK_VALUES(indices, {0, 0});
  CHECK_VALUES(x.argmax(), {5});
  CHECK_VALUES(x.var({1}), {1, 1});
  CHECK_VALUES(x.cumsum(1), {1, 3, 6, 4, 9, 15});
  CHECK_VALUES(x.softmax(1).sum({1}), {1, 1});
  CHECK_VALUES(x.logsumexp({1}), {std::log(std::exp(1) + std::exp(2) + std::exp(3)),
                                  std::log(std::exp(4) + std::exp(5) + std::exp(6))});
  CHECK_VALUES(fg::tensor({3.0, 4.0}).norm(), {5});
}

TEST_CASE("ops: matmul") {
  Tensor a = fg::tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}, {2, 3});
  Tensor b = fg::tensor({1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f}, {3, 2});
  CHECK_VALUES(a.matmul(b), {4, 5, 10, 11});
  CHECK_VALUES(fg::mm(a, a.t()), {14, 32, 32, 77});
  CHECK(fg::matmul(fg::ones({4, 2, 3}), b).sizes() == fg::Shape({4, 2, 2}));
}

TEST_CASE("ops: views, slicing, joining, indexing") {
  Tensor x = fg::arange(0, 6, 1).reshape({2, 3});
  CHECK_VALUES(x.transpose(0, 1), {0, 3, 1, 4, 2, 5});
  CHECK_VALUES(x[1], {3, 4, 5});
  CHECK_VALUES(x.select(1, 2), {2, 5});
  CHECK_VALUES(x.slice(1, 1, std::nullopt), {1, 2, 4, 5});
  CHECK_VALUES(x.narrow(1, 0, 2), {0, 1, 3, 4});
  CHECK_VALUES(x.flip({1}), {2, 1, 0, 5, 4, 3});
  CHECK_VALUES(x.unsqueeze(0).squeeze(0).permute({1, 0}), {0, 3, 1, 4, 2, 5});
  CHECK_VALUES(fg::cat({x, x}, 1)[0], {0, 1, 2, 0, 1, 2});
  CHECK(fg::stack({x, x}).sizes() == fg::Shape({2, 2, 3}));
  Tensor idx = fg::arange(0, 2, 1).flip({0});
  CHECK_VALUES(x.index_select(1, idx), {1, 0, 4, 3});
  CHECK_VALUES(x.index({idx}), {3, 4, 5, 0, 1, 2});
  CHECK_VALUES(x.gather(1, fg::zeros({2, 1}, fg::ScalarType::Int64)), {0, 3});
  CHECK_VALUES(fg::nonzero(x[0]), {1, 2});
  // A view shares storage: writing through it changes the base.
  Tensor v = x[0];
  v.fill_(7);
  CHECK_VALUES(x, {7, 7, 7, 3, 4, 5});
}

TEST_CASE("ops: losses") {
  Tensor p = fg::tensor({0.9f, 0.2f});
  Tensor y = fg::tensor({1.0f, 0.0f});
  CHECK_VALUES(fg::binary_cross_entropy(p, y), {-(std::log(0.9) + std::log(0.8)) / 2});
  CHECK_VALUES(fg::mse_loss(p, y, fg::Reduction::Sum), {0.01 + 0.04});
  // BCE clamps log at -100, as PyTorch does.
  CHECK_VALUES(fg::binary_cross_entropy(fg::tensor({0.0f}), fg::tensor({1.0f})), {100});
}
