// Gradients against float64 finite differences, grad mode, and custom C++ Functions.
#include "helpers.h"

using fg::Tensor;
using fg::TensorList;

#define GRADCHECK(inputs, body) CHECK(gradcheck([&](const TensorList& in) { return body; }, inputs))

TEST_CASE("grad: unary ops against finite differences") {
  Tensor x = leaf({2, 3});
  Tensor pos = leaf({2, 3}, 0.2, 2.0);
  GRADCHECK({x}, -in[0]);
  GRADCHECK({x}, in[0].exp());
  GRADCHECK({pos}, in[0].log());
  GRADCHECK({pos}, in[0].sqrt());
  GRADCHECK({x}, in[0].sin() + in[0].cos());
  GRADCHECK({x}, in[0].tanh());
  GRADCHECK({x}, in[0].sigmoid());
  GRADCHECK({x}, in[0].relu());
  GRADCHECK({x}, in[0].abs());
  GRADCHECK({x}, (in[0] * 0.5).log1p().expm1());
  GRADCHECK({x}, in[0].clamp(-0.5, 0.5));
  GRADCHECK({x}, in[0].pow(3));
  GRADCHECK({pos}, fg::pow(2.0, in[0]));
}

TEST_CASE("grad: binary ops with broadcasting") {
  Tensor a = leaf({2, 3});
  Tensor b = leaf({3}, 0.5, 2.0);
  Tensor col = leaf({2, 1}, 0.3, 1.1);
  GRADCHECK((TensorList{a, b}), in[0] + in[1]);
  GRADCHECK((TensorList{a, b}), in[0] - in[1] * 2.0);
  GRADCHECK((TensorList{a, b}), in[0] * in[1]);
  GRADCHECK((TensorList{a, b}), in[0] / in[1]);
  GRADCHECK((TensorList{a, col}), in[1].pow(in[0]));
  GRADCHECK((TensorList{a, col}), fg::maximum(in[0], in[1]));
  GRADCHECK((TensorList{a, b}), fg::where(in[0] > 0, in[0], in[1]));
}

TEST_CASE("grad: reductions, matmul, views") {
  Tensor x = leaf({3, 4});
  Tensor w = leaf({4, 2}, -0.7, 0.9);
  GRADCHECK({x}, in[0].sum({1}));
  GRADCHECK({x}, in[0].mean({0}, true));
  GRADCHECK({x}, in[0].prod(1));
  GRADCHECK({x}, in[0].var({1}));
  GRADCHECK({x}, in[0].std({0}));
  GRADCHECK({x}, in[0].max(1).first);
  GRADCHECK({x}, in[0].norm());
  GRADCHECK({x}, in[0].cumsum(1));
  GRADCHECK({x}, in[0].softmax(1));
  GRADCHECK({x}, in[0].log_softmax(0));
  GRADCHECK({x}, in[0].logsumexp({1}));
  GRADCHECK((TensorList{x, w}), in[0].matmul(in[1]));
  GRADCHECK({x}, in[0].t().reshape({2, 6}).flip({1})[1]);
  GRADCHECK({x}, in[0].slice(1, 1, 3).narrow(0, 1, 2));
  GRADCHECK({x}, in[0].index_select(1, fg::arange(0, 4, 2)));
  GRADCHECK({x}, fg::cat({in[0], in[0] * 2.0}, 1));
}

TEST_CASE("grad: losses") {
  Tensor p = leaf({4}, 0.1, 0.9);
  Tensor y = fg::tensor({1.0, 0.0, 1.0, 0.0});
  GRADCHECK({p}, fg::binary_cross_entropy(in[0], y));
  GRADCHECK({p}, fg::mse_loss(in[0], y, fg::Reduction::None));
}

TEST_CASE("grad: backward accumulates into .grad") {
  Tensor w = fg::tensor({1.0f}).requires_grad_();
  Tensor loss = (w * 3.0 - 5.0).pow(2.0).sum();
  loss.backward();
  CHECK_VALUES(w.grad(), {-12});  // 2 * (3w - 5) * 3
  (w * 2.0).sum().backward();
  CHECK_VALUES(w.grad(), {-10});
  CHECK(w.is_leaf());
  CHECK(!loss.is_leaf());
  CHECK_EQ(loss.grad_fn()->name(), std::string("SumBackward0"));
}

TEST_CASE("grad: before_long_work is called once, and only for long work") {
  // The engine tells its caller (the Python bindings drop the GIL there) before the first step
  // that may take long: more than kQuickGraphNodes nodes, or a gradient of kQuickGradNumel+.
  int calls = 0;
  auto count = [&] { ++calls; };
  Tensor x = fg::tensor({2.0f}).requires_grad_();
  fg::autograd::backward((x * x).sum(), Tensor(), std::nullopt, false, count);
  CHECK_EQ(calls, 0);  // 3 nodes of one element
  CHECK_VALUES(x.grad(), {4});

  Tensor y = x;
  for (size_t i = 0; i < fg::autograd::kQuickGraphNodes; ++i) y = y * 1.0;
  fg::autograd::backward(y.sum(), Tensor(), std::nullopt, false, count);
  CHECK_EQ(calls, 1);  // many nodes: once, however many follow

  Tensor big = fg::zeros({fg::autograd::kQuickGradNumel}).requires_grad_();
  fg::autograd::backward((big * 2.0).sum(), Tensor(), std::nullopt, false, count);
  CHECK_EQ(calls, 2);  // four nodes, but gradients of kQuickGradNumel elements
  fg::autograd::grad({(big * 2.0).sum()}, {big}, {}, std::nullopt, false, false, count);
  CHECK_EQ(calls, 3);
  CHECK_VALUES(big.grad().sum(), {2.0 * fg::autograd::kQuickGradNumel});
}

TEST_CASE("grad: post-accumulate-grad hooks see the updated .grad") {
  Tensor w = fg::tensor({2.0f}).requires_grad_();
  std::vector<double> seen;
  w.register_post_accumulate_grad_hook(
      [&](const Tensor& leaf) { seen.push_back(leaf.grad().item().to_double()); });
  (w * w + w).sum().backward();  // one call per backward, after both uses are summed
  (w * 3.0).sum().backward();
  CHECK_EQ(seen.size(), size_t(2));
  CHECK_CLOSE(seen[0], 5.0, 0);
  CHECK_CLOSE(seen[1], 8.0, 0);
  CHECK_THROWS_AS((w * 2.0).register_post_accumulate_grad_hook([](const Tensor&) {}), fg::Error,
                  "post accumulate grad hooks cannot be registered on non-leaf tensors");
  CHECK_THROWS_AS(fg::ones({1}).register_post_accumulate_grad_hook([](const Tensor&) {}), fg::Error,
                  "cannot register a hook on a tensor that doesn't require gradient");
}

TEST_CASE("grad: higher order with create_graph") {
  Tensor x = fg::tensor({2.0}).requires_grad_();
  Tensor y = x.pow(3);
  Tensor dy = fg::autograd::grad({y.sum()}, {x}, {}, std::nullopt, true)[0];
  CHECK_VALUES(dy, {12});  // 3x^2
  Tensor d2y = fg::autograd::grad({dy.sum()}, {x})[0];
  CHECK_VALUES(d2y, {12});  // 6x
}

TEST_CASE("no_grad: NoGradGuard records no graph") {
  Tensor w = fg::ones({2}).requires_grad_();
  {
    fg::NoGradGuard guard;
    CHECK(!fg::GradMode::is_enabled());
    Tensor y = w * 2.0;
    CHECK(!y.requires_grad());
    CHECK(!y.grad_fn());
    w -= 0.5;  // an in-place update of a leaf is allowed without grad mode
    {
      fg::AutoGradMode enable(true);
      CHECK((w * 2.0).requires_grad());
    }
    CHECK(!fg::GradMode::is_enabled());
  }
  CHECK(fg::GradMode::is_enabled());
  CHECK_VALUES(w, {0.5, 0.5});
  CHECK((w * 2.0).requires_grad());
  Tensor d = (w * 2.0).detach();
  CHECK(!d.requires_grad());
}

namespace {
// y = x^3 with a hand-written backward.
struct Cube : fg::autograd::Function<Cube> {
  static const char* name() { return "CubeBackward"; }
  static Tensor forward(fg::autograd::AutogradContext& ctx, const Tensor& x) {
    ctx.save_for_backward({x});
    return x * x * x;
  }
  static TensorList backward(fg::autograd::AutogradContext& ctx, TensorList grads) {
    Tensor x = ctx.saved_tensors()[0];
    return {grads[0] * 3.0 * x * x};
  }
};
// out = a * scale + b, two outputs (sum and difference), a number argument.
struct ScaledSumDiff : fg::autograd::Function<ScaledSumDiff> {
  static TensorList forward(fg::autograd::AutogradContext& ctx, const Tensor& a, double scale,
                            const Tensor& b) {
    ctx.saved_data["scale"] = scale;
    return {a * scale + b, a * scale - b};
  }
  static TensorList backward(fg::autograd::AutogradContext& ctx, TensorList grads) {
    double scale = ctx.saved_data["scale"];
    Tensor ga = ctx.needs_input_grad(0) ? (grads[0] + grads[1]) * scale : Tensor();
    return {ga, grads[0] - grads[1]};
  }
};
struct WrongCount : fg::autograd::Function<WrongCount> {
  static Tensor forward(fg::autograd::AutogradContext&, const Tensor& x) { return x * 2.0; }
  static TensorList backward(fg::autograd::AutogradContext&, TensorList grads) {
    return {grads[0], grads[0]};
  }
};
}  // namespace

TEST_CASE("function: custom C++ op with forward and backward") {
  Tensor x = leaf({5});
  Tensor y = Cube::apply(x);
  CHECK_EQ(y.grad_fn()->name(), std::string("CubeBackward"));
  CHECK_VALUES(y, values(x.detach().pow(3)));
  GRADCHECK({x}, Cube::apply(in[0]));
  // Under create_graph the backward formula is itself differentiable.
  Tensor g = fg::autograd::grad({Cube::apply(x).sum()}, {x}, {}, std::nullopt, true)[0];
  CHECK_VALUES(fg::autograd::grad({g.sum()}, {x})[0], values(x.detach() * 6.0));
  {
    fg::NoGradGuard guard;
    CHECK(!Cube::apply(x).requires_grad());
  }
}

TEST_CASE("function: several outputs, number arguments, unused gradients") {
  Tensor a = leaf({3});
  Tensor b = leaf({3}, 0.1, 0.8);
  GRADCHECK((TensorList{a, b}), ScaledSumDiff::apply(in[0], 1.5, in[1])[0]);
  GRADCHECK((TensorList{a, b}), ScaledSumDiff::apply(in[0], 1.5, in[1])[1]);
  // Only the first output used: the second one's gradient arrives as zeros.
  TensorList outs = ScaledSumDiff::apply(a, 2.0, fg::ones({3}));
  CHECK_EQ(outs[0].grad_fn()->name(), std::string("CppNode"));
  outs[0].sum().backward();
  CHECK_VALUES(a.grad(), {2, 2, 2});
  CHECK_THROWS_AS(WrongCount::apply(a).sum().backward(), fg::Error,
                  "returned an incorrect number of gradients (expected 1, got 2)");
  // Saved tensors are checked for in-place modification like built-in ops'.
  Tensor x = leaf({2});
  Tensor h = x * 1.0;
  Tensor y = Cube::apply(h);
  h.mul_(fg::wrapped_scalar(2.0));
  CHECK_THROWS_AS(y.sum().backward(), fg::Error, "modified by an inplace operation");
}
