// Errors are C++ exceptions carrying the messages the Python layer shows (the bindings map
// ValueError/TypeError/IndexError to Python's, Error to RuntimeError).
#include "helpers.h"

using fg::Tensor;

TEST_CASE("errors: shapes") {
  CHECK_THROWS_AS(fg::mm(fg::ones({2, 3}), fg::ones({4, 5})), fg::Error,
                  "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
  CHECK_THROWS_AS(fg::ones({2}) + fg::ones({3}), fg::Error,
                  "The size of tensor a (2) must match the size of tensor b (3) at non-singleton "
                  "dimension 0");
  CHECK_THROWS_AS(fg::ones({2, 3}).view({4}), fg::Error,
                  "shape '[4]' is invalid for input of size 6");
  CHECK_THROWS_AS(fg::tensor({1.0f, 2.0f}, {3}), fg::Error, "invalid for input of size 2");
}

TEST_CASE("errors: indices and dims are IndexError") {
  CHECK_THROWS_AS(fg::ones({2, 3}).sum({2}), fg::IndexError,
                  "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  CHECK_THROWS_AS(fg::ones({2})[5], fg::IndexError,
                  "index 5 is out of bounds for dimension 0 with size 2");
  CHECK_THROWS_AS(fg::ones({3}).index({fg::arange(2, 5, 1)}), fg::IndexError,
                  "index 3 is out of bounds for dimension 0 with size 3");
}

TEST_CASE("errors: autograd misuse") {
  Tensor x = fg::ones({2});
  CHECK_THROWS_AS(x.sum().backward(), fg::Error,
                  "element 0 of tensors does not require grad and does not have a grad_fn");
  Tensor w = fg::ones({2}).requires_grad_();
  CHECK_THROWS_AS((w * 2.0).backward(), fg::Error,
                  "grad can be implicitly created only for scalar outputs");
  CHECK_THROWS_AS((w * 2.0).requires_grad_(false), fg::Error, "");
  Tensor loss = (w * w).sum();
  loss.backward();
  CHECK_THROWS_AS(loss.backward(), fg::Error, "Trying to backward through the graph a second time");
  CHECK_THROWS_AS(w.add_(fg::ones({2})), fg::Error,
                  "a leaf Variable that requires grad is being used in an in-place operation.");
  CHECK_THROWS_AS(fg::autograd::grad({(w * 2.0).sum()}, {x}), fg::Error,
                  "One of the differentiated Tensors does not require grad");
}

TEST_CASE("errors: dtypes") {
  CHECK_THROWS_AS(fg::arange(0, 3, 1).requires_grad_(), fg::Error,
                  "Only Tensors of floating point and complex dtype can require gradients");
  CHECK_THROWS_AS(fg::ones({2}) & fg::ones({2}), fg::Error, "");
  CHECK_THROWS_AS(fg::ones({2}).item<float>(), fg::Error,
                  "a Tensor with 2 elements cannot be converted to Scalar");
}
