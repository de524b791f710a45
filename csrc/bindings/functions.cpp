// Module-level functions: creation, and ops whose first argument may be a number.
#include "common.h"

namespace fastgrad::python {

namespace {

Tensor finish(Tensor t, bool requires_grad) {
  if (requires_grad) t.set_requires_grad(true);
  return t;
}

// An argument of binary_cross_entropy that must be a Tensor; TypeError as PyTorch's otherwise.
const Tensor& bce_tensor(py::handle h, const char* name, int position) {
  if (const Tensor* t = tensor_of(h)) return *t;
  throw py::type_error(std::string("binary_cross_entropy(): argument '") + name + "' (position " +
                       std::to_string(position) + ") must be Tensor, not " +
                       py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>());
}

Reduction parse_reduction(const std::string& r) {
  if (r == "mean") return Reduction::Mean;
  if (r == "sum") return Reduction::Sum;
  if (r == "none") return Reduction::None;
  throw py::value_error(r + " is not a valid value for reduction");
}

}  // namespace

void init_functions(py::module_& m) {
  m.def(
      "tensor",
      [](py::handle data, py::handle dtype, py::handle device, bool requires_grad,
         bool pin_memory) {
        // The factories' device check (fastgrad/_device.py), so tensor() refuses "cuda" too.
        if (!device.is_none()) py::module_::import("fastgrad._device").attr("check_device")(device);
        return finish(tensor_from_data(data, parse_dtype(dtype)), requires_grad);
      },
      py::arg("data"), py::kw_only(), py::arg("dtype") = py::none(), py::arg("device") = py::none(),
      py::arg("requires_grad") = false, py::arg("pin_memory") = false,
      "Constructs a new tensor with a copy of `data`: a number, a (nested) sequence, a NumPy array "
      "or a tensor.\n\n"
      "Without `dtype`, Python floats give float32 (the default dtype), ints int64 and bools bool; "
      "NumPy arrays keep float32, float64, int64 and bool. fastgrad only has the CPU: `device` may "
      "be None or the CPU (anything else raises, as the other factories do); `pin_memory` is "
      "accepted for compatibility and ignored.");
  m.def("from_numpy", &tensor_from_numpy, py::arg("ndarray"),
        "Creates a tensor that shares memory with the NumPy array `ndarray`.\n\n"
        "Writes through either one show in the other. The array's dtype must be float32, float64, "
        "int64 or bool.");
  m.def("_empty", [](const Shape& s, py::handle dtype, bool rg) {
    return finish(empty(s, parse_dtype(dtype).value_or(default_dtype())), rg);
  });
  m.def("_zeros", [](const Shape& s, py::handle dtype, bool rg) {
    return finish(zeros(s, parse_dtype(dtype).value_or(default_dtype())), rg);
  });
  m.def("_ones", [](const Shape& s, py::handle dtype, bool rg) {
    return finish(ones(s, parse_dtype(dtype).value_or(default_dtype())), rg);
  });
  m.def("_full", [](const Shape& s, py::handle value, py::handle dtype, bool rg) {
    auto v = as_scalar(value);
    if (!v && py::isinstance<Tensor>(value)) v = value.cast<Tensor>().item();
    if (!v) throw py::type_error("full(): argument 'fill_value' must be Number");
    // Like PyTorch: the dtype follows the fill value when not given.
    ScalarType dt = parse_dtype(dtype).value_or(v->is_floating() ? default_dtype() : v->type());
    return finish(full(s, *v, dt), rg);
  });
  m.def("_rand", [](const Shape& s, py::handle dtype, bool rg) {
    return finish(rand(s, parse_dtype(dtype).value_or(default_dtype())), rg);
  });
  m.def("_randn", [](const Shape& s, py::handle dtype, bool rg) {
    return finish(randn(s, parse_dtype(dtype).value_or(default_dtype())), rg);
  });
  m.def("_arange",
        [](py::handle start, py::handle end, py::handle step, py::handle dtype, bool rg) {
          auto s = as_scalar(start), e = as_scalar(end), st = as_scalar(step);
          if (!s || !e || !st)
            throw py::type_error("arange(): start, end and step must be numbers");
          return finish(arange(*s, *e, *st, parse_dtype(dtype)), rg);
        });
  m.def("_linspace", [](double start, double end, int64_t steps, py::handle dtype, bool rg) {
    return finish(linspace(start, end, steps, parse_dtype(dtype).value_or(default_dtype())), rg);
  });
  m.def("_cat", [](const TensorList& ts, int64_t dim) { return cat(ts, dim); });
  m.def("_stack", [](const TensorList& ts, int64_t dim) { return stack(ts, dim); });
  m.def("_where", [](const Tensor& cond, py::handle a, py::handle b) {
    return where(cond, operand_or_throw(a, "where"), operand_or_throw(b, "where"));
  });
  m.def(
      "nonzero", [](const Tensor& t) { return nonzero(t); }, py::arg("input"),
      "Returns the indices of the nonzero elements of `input`, one row per element (int64).");
  m.def(
      "manual_seed", [](int64_t seed) { manual_seed(static_cast<uint64_t>(seed)); },
      py::arg("seed"),
      "Sets the seed of fastgrad's random number generator (rand, randn, dropout, nn.init).\n\n"
      "Runs are reproducible for a given seed, but the numbers differ from PyTorch's.");

  // Ops that accept a number in either position.
  m.def(
      "pow",
      [](py::handle a, py::handle b) -> Tensor {
        if (py::isinstance<Tensor>(a)) return pow(a.cast<Tensor>(), operand_or_throw(b, "pow"));
        auto s = as_scalar(a);
        if (!s || !py::isinstance<Tensor>(b))
          throw py::type_error("pow(): argument 'input' must be Tensor or Number");
        return pow(*s, b.cast<Tensor>());
      },
      py::arg("input"), py::arg("exponent"),
      "Returns `input` raised to the power `exponent`, elementwise, with broadcasting.\n\n"
      "Either argument may be a number instead of a tensor (not both).");
  // nn.functional.binary_cross_entropy after its size_average/reduce handling: the argument
  // checks live here because every training step with BCELoss comes through (in Python they
  // cost a quarter of a 0-d step's loss).
  m.def("_binary_cross_entropy",
        [](py::handle input, py::handle target, py::handle weight, const std::string& reduction) {
          const Tensor& x = bce_tensor(input, "input", 1);
          const Tensor& y = bce_tensor(target, "target", 2);
          if (y.sizes() != x.sizes())
            throw py::value_error("Using a target size (torch.Size(" + shape_list(y.sizes()) +
                                  ")) that is different to the input size (torch.Size(" +
                                  shape_list(x.sizes()) +
                                  ")) is deprecated. Please ensure they have the same size.");
          Tensor w;
          if (!weight.is_none()) {
            w = bce_tensor(weight, "weight", 3);
            if (w.sizes() != x.sizes()) w = w.expand(x.sizes());
          }
          return binary_cross_entropy(x, y, w, parse_reduction(reduction));
        });
  m.def("_mse_loss", [](const Tensor& input, const Tensor& target, const std::string& reduction) {
    return mse_loss(input, target, parse_reduction(reduction));
  });
  m.def("_result_type", [](py::handle a, py::handle b) {
    return dtype_object(
        result_type(operand_or_throw(a, "result_type"), operand_or_throw(b, "result_type")));
  });
}

}  // namespace fastgrad::python
