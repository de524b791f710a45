#pragma once
// AccumulateGrad: the sink node of a leaf that requires grad; adds incoming gradients into
// the leaf's .grad (thread-safe, so concurrent backward calls may share leaves).
#include <mutex>

#include "fastgrad/node.h"

namespace fastgrad::autograd {

class FASTGRAD_API AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(Tensor variable);
  std::string name() const override { return "AccumulateGrad"; }
  TensorList apply(TensorList&& grads) override;
  const Tensor& variable() const { return variable_; }

 private:
  Tensor variable_;
  std::mutex mutex_;
};

}  // namespace fastgrad::autograd
