// The tutorial's logistic regression in C++: y = sigmoid(w * x + b) with scalar w and b,
// binary cross-entropy loss, plain SGD. Prints the loss falling.
#include <cstdio>

#include "fastgrad/fastgrad.h"

using namespace fastgrad;

int main() {
  // Hours studied -> passed (0/1): separable except for one overlap, so the loss stays above 0.
  Tensor x = tensor({0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f, 3.5f, 4.0f, 4.5f, 5.0f});
  Tensor y = tensor({0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 1.0f, 1.0f, 1.0f, 1.0f});
  Tensor w = zeros({}).requires_grad_();
  Tensor b = zeros({}).requires_grad_();
  const double lr = 0.5;

  for (int epoch = 1; epoch <= 300; ++epoch) {
    Tensor y_pred = sigmoid(w * x + b);
    Tensor loss = binary_cross_entropy(y_pred, y);
    loss.backward();
    {
      NoGradGuard no_grad;  // the update itself is not part of the model
      w -= w.grad() * lr;
      b -= b.grad() * lr;
    }
    w.grad().zero_();
    b.grad().zero_();
    if (epoch == 1 || epoch % 30 == 0)
      std::printf("epoch %3d  loss %.4f\n", epoch, loss.item<float>());
  }
  std::printf("w = %.4f, b = %.4f, P(pass | 2.75 hours) = %.3f\n", w.item<float>(), b.item<float>(),
              sigmoid(w * 2.75 + b).item<float>());
  return 0;
}
