// The Tensor class as Python sees it. Methods with PyTorch's flexible signatures (sum(dim=...),
// reshape(*shape), max overloads) are finished in python/fastgrad/_tensor.py.
#include "common.h"

namespace fastgrad::python {

namespace {

// Binary dunder: Tensor op (Tensor | number), NotImplemented for anything else.
template <typename F>
auto binary_dunder(F f) {
  return [f](py::handle self_obj, py::handle other) -> py::object {
    const Tensor& self = self_tensor(self_obj, "binary operator");
    auto o = as_operator_operand(other);
    if (!o) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
    return py::cast(without_gil_if(is_large(self) || is_large(*o), [&] { return f(self, *o); }));
  };
}

template <typename F>
auto reflected_dunder(F f) {
  return [f](py::handle self_obj, py::handle other) -> py::object {
    const Tensor& self = self_tensor(self_obj, "reflected operator");
    auto o = as_operator_operand(other);
    if (!o) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
    return py::cast(without_gil_if(is_large(self) || is_large(*o), [&] { return f(*o, self); }));
  };
}

// In-place dunder: returns self (the same Python object), as += must.
template <typename F>
auto inplace_dunder(F f) {
  return [f](py::object self, py::handle other) -> py::object {
    auto o = as_operator_operand(other);
    if (!o) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
    const Tensor& t = self_tensor(self, "in-place operator");
    without_gil_if(is_large(t) || is_large(*o), [&] { f(t, *o); });
    return self;
  };
}

std::optional<Scalar> opt_scalar(py::handle h, const char* op) {
  if (h.is_none()) return std::nullopt;
  if (auto s = as_scalar(h)) return s;
  if (py::isinstance<Tensor>(h)) return h.cast<Tensor>().item();
  throw py::type_error(std::string(op) + "(): min and max must be numbers or None");
}

}  // namespace

void init_tensor(py::module_& m) {
  py::class_<Tensor> cls(m, "Tensor",
                         "A multi-dimensional array of float32, float64, int64 or bool elements "
                         "that autograd can differentiate.\n\n"
                         "Tensors are made by factories such as fastgrad.tensor, zeros or randn. "
                         "The legacy constructor Tensor(data), Tensor(*sizes) or Tensor(other) "
                         "also works; it gives float32 data (zeros for sizes) or a detached alias.",
                         py::dynamic_attr(), py::custom_type_setup(setup_tensor_gc));
  cls.def(
         py::init([](py::args args) {
           // Legacy constructor: Tensor(), Tensor(data), Tensor(*sizes), Tensor(other).
           if (args.size() == 0) return empty({0});
           if (args.size() == 1 && py::isinstance<Tensor>(args[0]))
             return args[0].cast<Tensor>().detach();
           if (args.size() == 1 && !PyLong_Check(args[0].ptr()))
             return to_dtype(tensor_from_data(args[0], std::nullopt), default_dtype());
           return zeros(parse_shape(args, "Tensor"));
         }),
         "Tensor(), Tensor(data), Tensor(*sizes) or Tensor(other): the legacy constructor.\n\n"
         "data gives float32 values, sizes a zero-filled float32 tensor of that shape, and another "
         "tensor a detached alias of it. Prefer fastgrad.tensor() and the factory functions.")
      // ---- metadata
      // (dtype and shape are getset descriptors: tensor_slots.cpp)
      .def("dim", &Tensor::dim, "Returns the number of dimensions of this tensor.")
      .def("ndimension", &Tensor::dim,
           "Returns the number of dimensions of this tensor (an alias of dim()).")
      .def_property_readonly("ndim", &Tensor::dim,
                             "The number of dimensions of this tensor (the same as dim()).")
      .def("numel", &Tensor::numel, "Returns the total number of elements in this tensor.")
      .def("nelement", &Tensor::numel,
           "Returns the total number of elements in this tensor (an alias of numel()).")
      .def("_sizes", [](const Tensor& t) { return py::tuple(py::cast(t.sizes())); })
      .def(
          "stride",
          [](const Tensor& t, py::object dim) -> py::object {
            if (dim.is_none()) return py::tuple(py::cast(t.strides()));
            return py::int_(t.stride(dim.cast<int64_t>()));
          },
          py::arg("dim") = py::none(),
          "Returns the strides of this tensor, counted in elements.\n\n"
          "A tuple with one stride per dimension, or a single int when `dim` is given.")
      .def("storage_offset", &Tensor::storage_offset,
           "Returns the offset of this tensor's first element in its storage, in elements.")
      .def(
          "is_contiguous", [](const Tensor& t) { return t.is_contiguous(); },
          "Returns True if this tensor's elements lie in memory in row-major (C) order, without "
          "gaps.")
      .def(
          "element_size", [](const Tensor& t) { return element_size(t.dtype()); },
          "Returns the size in bytes of one element of this tensor.")
      .def(
          "data_ptr", [](const Tensor& t) { return reinterpret_cast<uintptr_t>(t.data_ptr()); },
          "Returns the memory address of this tensor's first element, as an int.")
      .def(
          "is_floating_point", [](const Tensor& t) { return is_floating(t.dtype()); },
          "Returns True if this tensor's dtype is a floating point type (float32 or float64).")
      .def_property_readonly("_version", &Tensor::version)
      // For writers that bypass the ops (MPI collectives write through a NumPy view).
      .def("_bump_version", [](const Tensor& t) { t.impl()->storage()->bump_version(); })
      .def(
          "__len__",
          [](const Tensor& t) {
            if (t.dim() == 0) throw py::type_error("len() of a 0-d tensor");
            return t.sizes()[0];
          },
          "Returns the size of the first dimension; a 0-d tensor raises TypeError.")
      // ---- conversion
      .def(
          "item", [](const Tensor& t) { return scalar_to_python(t.item()); },
          "Returns the value of this one-element tensor as a Python number (float, int or bool).")
      .def("tolist", &tensor_to_list,
           "Returns the elements of this tensor as nested Python lists of numbers.\n\n"
           "A 0-d tensor gives a single number, as item() does.")
      .def(
          "numpy",
          [](const Tensor& t, bool force) {
            if (force) return tensor_to_numpy(t.detach().clone());
            return tensor_to_numpy(t);
          },
          py::kw_only(), py::arg("force") = false,
          "Returns a NumPy array that shares memory with this tensor.\n\n"
          "Writes through either one show in the other. As in PyTorch, a tensor that requires grad "
          "is refused; with `force=True` the result is a copy of the detached data instead.")
      .def("_to_dtype", [](const Tensor& t, py::handle dtype) { return t.to(*parse_dtype(dtype)); })
      .def(
          "__bool__",
          [](const Tensor& t) {
            if (t.numel() != 1)
              throw py::value_error(
                  "Boolean value of Tensor with more than one value is ambiguous");
            return t.item<bool>();
          },
          "Returns the truth value of a one-element tensor; more elements raise ValueError.")
      .def(
          "__float__", [](const Tensor& t) { return t.item<double>(); },
          "Returns the value of a one-element tensor as a Python float.")
      .def(
          "__int__", [](const Tensor& t) { return t.item<int64_t>(); },
          "Returns the value of a one-element tensor as a Python int (truncating).")
      .def(
          "__index__",
          [](const Tensor& t) {
            if (t.dtype() != ScalarType::Int64 || t.numel() != 1)
              throw py::type_error(
                  "only integer tensors of a single element can be converted to an index");
            return t.item<int64_t>();
          },
          "Returns the value of a one-element int64 tensor as an int, so it can index a sequence.")
      .def(
          "__hash__",
          [](py::handle self) {
            return py::hash(py::int_(reinterpret_cast<uintptr_t>(self.ptr())));
          },
          "Returns a hash of this tensor object's identity (not of its values).")
      // ---- autograd
      .def_property(
          "requires_grad", &Tensor::requires_grad,
          [](const Tensor& t, bool v) {
            // The property refuses any change on a non-leaf, as PyTorch's does.
            if (!t.is_leaf() && v)
              throw Error("you can only change requires_grad flags of leaf variables.");
            t.set_requires_grad(v);
          },
          "True if autograd records the operations on this tensor so that gradients can flow to "
          "it.\n\n"
          "Only leaf tensors can have it set; results of ops on such tensors get it from their "
          "inputs.")
      .def(
          "requires_grad_",
          [](py::object self, bool v) {
            self.cast<const Tensor&>().set_requires_grad(v);
            return self;
          },
          py::arg("requires_grad") = true,
          "Sets whether autograd records operations on this tensor, in place, and returns it.\n\n"
          "`requires_grad` defaults to True. As for the property, only leaf tensors can change.")
      .def_property_readonly("is_leaf", &Tensor::is_leaf,
                             "True for a tensor that no recorded op produced: one created by the "
                             "user, or any tensor that does not require grad.\n\n"
                             "backward() accumulates gradients into the .grad of leaves only.")
      .def_property_readonly(
          "grad_fn", [](const Tensor& t) { return wrap_node(t.grad_fn()); },
          "The autograd node (backward function) of the op that produced this tensor, or None for "
          "a leaf.")
      // .grad is a getset descriptor, installed by tensor_slots.cpp.
      .def_property_readonly("retains_grad", &Tensor::retains_grad,
                             "True if retain_grad() was called on this non-leaf tensor.")
      .def("retain_grad", &Tensor::retain_grad,
           "Makes this non-leaf tensor keep its .grad during backward(); leaves always do.")
      .def("_backward",
           [](const Tensor& t, py::object gradient, std::optional<bool> retain_graph,
              bool create_graph) {
             Tensor g = gradient.is_none() ? Tensor() : operand_or_throw(gradient, "backward");
             GilRelease gil{GilRelease::Deferred{}};  // dropped only if the backward takes long
             autograd::backward(t, g, retain_graph, create_graph, gil.releaser());
           })
      .def("detach", &Tensor::detach,
           "Returns a new tensor that shares this tensor's data but is cut off from the autograd "
           "graph.\n\n"
           "The result never requires grad; in-place changes to either are seen by both.")
      .def(
          "detach_",
          [](py::object self) {
            self.cast<const Tensor&>().detach_();
            return self;
          },
          "Detaches this tensor from the graph that created it, in place, making it a leaf that "
          "does not require grad; returns it.")
      .def_property(
          "data", &Tensor::variable_data,
          [](const Tensor& t, const Tensor& other) {
            if (other.dtype() != t.dtype())
              throw Error("fastgrad: assigning .data of a different dtype is not supported");
            t.impl()->set_storage(other.impl()->storage());
            t.impl()->set_sizes_and_strides(other.sizes(), other.strides(), other.storage_offset());
          },
          "This tensor's data as a tensor that does not require grad and shares its memory.\n\n"
          "Assigning a tensor to .data makes this tensor use that tensor's memory and shape "
          "(fastgrad requires the same dtype), without autograd seeing the change.")
      .def("_register_hook",
           [](const Tensor& t, py::function fn) { t.register_hook(PyTensorHook(std::move(fn))); })
      .def("_register_post_accumulate_grad_hook",
           [](const Tensor& t, py::function fn) {
             t.register_post_accumulate_grad_hook(PyPostAccumulateHook(std::move(fn)));
           })
      // ---- unary ops (neg, exp, sigmoid, ... and zero_ are C methods: tensor_slots.cpp)
      .def("__neg__", unary_method(&Tensor::neg),
           "Returns -self, a new tensor with the negative of each element.")
      .def(
          "__pos__", [](const Tensor& t) { return t; },
          "Returns +self, which is this tensor itself.")
      .def("__abs__", unary_method(&Tensor::abs),
           "Returns abs(self), a new tensor with the absolute value of each element.")
      .def(
          "clamp",
          [](const Tensor& t, py::handle min, py::handle max) {
            return t.clamp(opt_scalar(min, "clamp"), opt_scalar(max, "clamp"));
          },
          py::arg("min") = py::none(), py::arg("max") = py::none(),
          "Returns a new tensor with each element of this tensor clamped into [min, max].\n\n"
          "`min` and `max` are numbers (or one-element tensors); None leaves that side unbounded. "
          "Unlike PyTorch, bounds given as full tensors (one bound per element) are not supported.")
      .def(
          "clamp_",
          [](py::object self, py::handle min, py::handle max) {
            self.cast<const Tensor&>().clamp_(opt_scalar(min, "clamp_"), opt_scalar(max, "clamp_"));
            return self;
          },
          py::arg("min") = py::none(), py::arg("max") = py::none(),
          "Clamps each element of this tensor into [min, max], in place, and returns it (see "
          "clamp).")
      // ---- binary ops and operators
      .def("__add__", binary_dunder([](const Tensor& a, const Tensor& b) { return add(a, b); }),
           "Returns self + other (a tensor or a number), with broadcasting.")
      .def("__radd__", reflected_dunder([](const Tensor& a, const Tensor& b) { return add(a, b); }),
           "Returns other + self, for a number `other` on the left.")
      .def("__sub__", binary_dunder([](const Tensor& a, const Tensor& b) { return sub(a, b); }),
           "Returns self - other (a tensor or a number), with broadcasting.")
      .def("__rsub__",
           binary_dunder([](const Tensor& self, const Tensor& other) { return rsub(self, other); }),
           "Returns other - self, for a number `other` on the left.")
      .def("__mul__", binary_dunder([](const Tensor& a, const Tensor& b) { return mul(a, b); }),
           "Returns self * other (a tensor or a number), with broadcasting.")
      .def("__rmul__", reflected_dunder([](const Tensor& a, const Tensor& b) { return mul(a, b); }),
           "Returns other * self, for a number `other` on the left.")
      .def("__truediv__", binary_dunder([](const Tensor& a, const Tensor& b) { return div(a, b); }),
           "Returns self / other (a tensor or a number), with broadcasting; always true division.")
      .def("__rtruediv__",
           reflected_dunder([](const Tensor& a, const Tensor& b) { return div(a, b); }),
           "Returns other / self, for a number `other` on the left.")
      .def(
          "__pow__",
          [](const Tensor& self, py::handle other) -> py::object {
            // x ** 2: the exponent stays a number (no wrapped tensor to build and unwrap).
            if (auto s = as_scalar(other)) return py::cast(pow(self, *s));
            if (py::isinstance<Tensor>(other)) return py::cast(pow(self, other.cast<Tensor>()));
            return py::reinterpret_borrow<py::object>(Py_NotImplemented);
          },
          "Returns self ** other, elementwise; `other` is a tensor or a number.")
      .def(
          "__rpow__",
          [](const Tensor& self, py::handle other) -> py::object {
            if (auto s = as_scalar(other)) return py::cast(pow(*s, self));
            if (py::isinstance<Tensor>(other)) return py::cast(pow(other.cast<Tensor>(), self));
            return py::reinterpret_borrow<py::object>(Py_NotImplemented);
          },
          "Returns other ** self, for a number `other` on the left.")
      .def(
          "__matmul__",
          [](const Tensor& a, py::handle b) -> py::object {
            if (!py::isinstance<Tensor>(b))
              return py::reinterpret_borrow<py::object>(Py_NotImplemented);
            const Tensor& bt = b.cast<const Tensor&>();
            Tensor out;
            {
              GilRelease release;
              out = matmul(a, bt);
            }
            return py::cast(std::move(out));
          },
          "Returns self @ other, the matrix product (see matmul).")
      .def("__gt__", binary_dunder([](const Tensor& a, const Tensor& b) { return gt(a, b); }),
           "Returns a bool tensor, True where self > other (with broadcasting).")
      .def("__lt__", binary_dunder([](const Tensor& a, const Tensor& b) { return lt(a, b); }),
           "Returns a bool tensor, True where self < other (with broadcasting).")
      .def("__ge__", binary_dunder([](const Tensor& a, const Tensor& b) { return ge(a, b); }),
           "Returns a bool tensor, True where self >= other (with broadcasting).")
      .def("__le__", binary_dunder([](const Tensor& a, const Tensor& b) { return le(a, b); }),
           "Returns a bool tensor, True where self <= other (with broadcasting).")
      .def("__eq__", binary_dunder([](const Tensor& a, const Tensor& b) { return eq(a, b); }),
           "Returns a bool tensor, True where self == other (with broadcasting).")
      .def("__ne__", binary_dunder([](const Tensor& a, const Tensor& b) { return ne(a, b); }),
           "Returns a bool tensor, True where self != other (with broadcasting).")
      .def("__iadd__", inplace_dunder([](const Tensor& a, const Tensor& b) { a.add_(b); }),
           "self += other: adds in place (other broadcasts to self's shape) and returns self.")
      .def("__isub__", inplace_dunder([](const Tensor& a, const Tensor& b) { a.sub_(b); }),
           "self -= other: subtracts in place (other broadcasts to self's shape) and returns self.")
      .def(
          "__imul__", inplace_dunder([](const Tensor& a, const Tensor& b) { a.mul_(b); }),
          "self *= other: multiplies in place (other broadcasts to self's shape) and returns self.")
      .def("__itruediv__", inplace_dunder([](const Tensor& a, const Tensor& b) { a.div_(b); }),
           "self /= other: divides in place (other broadcasts to self's shape) and returns self.")
      .def(
          "add",
          [](const Tensor& a, py::handle b, py::handle alpha) {
            return add(a, operand_or_throw(b, "add"),
                       as_scalar(alpha).value_or(Scalar(int64_t{1})));
          },
          py::arg("other"), py::kw_only(), py::arg("alpha") = 1,
          "Returns self + alpha * other, with broadcasting.\n\n"
          "`other` is a tensor or a number; `alpha` (keyword only) is a number that scales it.")
      .def(
          "sub",
          [](const Tensor& a, py::handle b, py::handle alpha) {
            return sub(a, operand_or_throw(b, "sub"),
                       as_scalar(alpha).value_or(Scalar(int64_t{1})));
          },
          py::arg("other"), py::kw_only(), py::arg("alpha") = 1,
          "Returns self - alpha * other, with broadcasting.\n\n"
          "`other` is a tensor or a number; `alpha` (keyword only) is a number that scales it.")
      .def(
          "mul", [](const Tensor& a, py::handle b) { return mul(a, operand_or_throw(b, "mul")); },
          py::arg("other"),
          "Returns the product of this tensor and `other` (a tensor or a number), with "
          "broadcasting.")
      .def(
          "div", [](const Tensor& a, py::handle b) { return div(a, operand_or_throw(b, "div")); },
          py::arg("other"),
          "Returns this tensor divided by `other` (a tensor or a number), with broadcasting.\n\n"
          "Always true division: integer inputs give a floating point result. PyTorch's "
          "`rounding_mode` argument is not supported.")
      .def(
          "pow", [](const Tensor& a, py::handle b) { return pow(a, operand_or_throw(b, "pow")); },
          py::arg("exponent"),
          "Returns this tensor raised to the power `exponent` (a tensor or a number), elementwise.")
      .def(
          "maximum", [](const Tensor& a, const Tensor& b) { return maximum(a, b); },
          py::arg("other"),
          "Returns the elementwise maximum of this tensor and the tensor `other`, with "
          "broadcasting.")
      .def(
          "minimum", [](const Tensor& a, const Tensor& b) { return minimum(a, b); },
          py::arg("other"),
          "Returns the elementwise minimum of this tensor and the tensor `other`, with "
          "broadcasting.")
      .def(
          "gt", [](const Tensor& a, py::handle b) { return gt(a, operand_or_throw(b, "gt")); },
          py::arg("other"),
          "Returns a bool tensor, True where this tensor is greater than `other` (a tensor or a "
          "number).")
      .def(
          "lt", [](const Tensor& a, py::handle b) { return lt(a, operand_or_throw(b, "lt")); },
          py::arg("other"),
          "Returns a bool tensor, True where this tensor is less than `other` (a tensor or a "
          "number).")
      .def(
          "ge", [](const Tensor& a, py::handle b) { return ge(a, operand_or_throw(b, "ge")); },
          py::arg("other"),
          "Returns a bool tensor, True where this tensor is greater than or equal to `other`.")
      .def(
          "le", [](const Tensor& a, py::handle b) { return le(a, operand_or_throw(b, "le")); },
          py::arg("other"),
          "Returns a bool tensor, True where this tensor is less than or equal to `other`.")
      .def(
          "eq", [](const Tensor& a, py::handle b) { return eq(a, operand_or_throw(b, "eq")); },
          py::arg("other"),
          "Returns a bool tensor, True where this tensor equals `other` (a tensor or a number).")
      .def(
          "ne", [](const Tensor& a, py::handle b) { return ne(a, operand_or_throw(b, "ne")); },
          py::arg("other"),
          "Returns a bool tensor, True where this tensor differs from `other` (a tensor or a "
          "number).")
      .def(
          "add_",
          [](py::object self, py::handle b, py::handle alpha) {
            self.cast<const Tensor&>().add_(operand_or_throw(b, "add_"),
                                            as_scalar(alpha).value_or(Scalar(int64_t{1})));
            return self;
          },
          py::arg("other"), py::kw_only(), py::arg("alpha") = 1,
          "Adds alpha * other to this tensor, in place, and returns it (see add).")
      .def(
          "sub_",
          [](py::object self, py::handle b, py::handle alpha) {
            self.cast<const Tensor&>().sub_(operand_or_throw(b, "sub_"),
                                            as_scalar(alpha).value_or(Scalar(int64_t{1})));
            return self;
          },
          py::arg("other"), py::kw_only(), py::arg("alpha") = 1,
          "Subtracts alpha * other from this tensor, in place, and returns it (see sub).")
      .def(
          "mul_",
          [](py::object self, py::handle b) {
            self.cast<const Tensor&>().mul_(operand_or_throw(b, "mul_"));
            return self;
          },
          py::arg("other"),
          "Multiplies this tensor by `other`, in place, and returns it (see mul).")
      .def(
          "div_",
          [](py::object self, py::handle b) {
            self.cast<const Tensor&>().div_(operand_or_throw(b, "div_"));
            return self;
          },
          py::arg("other"), "Divides this tensor by `other`, in place, and returns it (see div).")
      .def(
          "fill_",
          [](py::object self, py::handle v) {
            auto s = as_scalar(v);
            if (!s && py::isinstance<Tensor>(v)) s = v.cast<Tensor>().item();
            if (!s) throw py::type_error("fill_(): argument 'value' must be Number");
            self.cast<const Tensor&>().fill_(*s);
            return self;
          },
          py::arg("value"), "Fills this tensor with the number `value`, in place, and returns it.")
      .def(
          "copy_",
          [](py::object self, const Tensor& src) {
            self.cast<const Tensor&>().copy_(src);
            return self;
          },
          py::arg("src"),
          "Copies the elements of `src` into this tensor, in place, and returns it.\n\n"
          "`src` is broadcast to this tensor's shape and converted to its dtype; the copy is "
          "recorded by autograd.")
      // ---- reductions (dims as a list; None means all)
      .def("_sum",
           [](const Tensor& t, std::optional<std::vector<int64_t>> dims, bool keepdim,
              py::handle dtype) {
             const auto dt = parse_dtype(dtype);
             return without_gil_if(is_large(t),
                                   [&] { return dims ? sum(t, *dims, keepdim, dt) : sum(t, dt); });
           })
      .def("_mean",
           [](const Tensor& t, std::optional<std::vector<int64_t>> dims, bool keepdim,
              py::handle dtype) {
             const auto dt = parse_dtype(dtype);
             return without_gil_if(is_large(t), [&] {
               const Tensor in = dt ? t.to(*dt) : t;
               return dims ? mean(in, *dims, keepdim) : mean(in);
             });
           })
      .def("_max_all",
           [](const Tensor& t) { return without_gil_if(is_large(t), [&] { return max(t); }); })
      .def("_min_all",
           [](const Tensor& t) { return without_gil_if(is_large(t), [&] { return min(t); }); })
      .def("_max_dim",
           [](const Tensor& t, int64_t dim, bool keepdim) { return max(t, dim, keepdim); })
      .def("_min_dim",
           [](const Tensor& t, int64_t dim, bool keepdim) { return min(t, dim, keepdim); })
      // ---- matmul and views
      .def(
          "matmul",
          [](const Tensor& a, const Tensor& b) {
            GilRelease release;
            return matmul(a, b);
          },
          py::arg("other"),
          "Returns the matrix product of this tensor and `other`.\n\n"
          "1-D operands are vectors (dot product, matrix-vector), 2-D ones matrices; with more "
          "dimensions the leading ones are batch dimensions and broadcast, as in PyTorch.")
      .def(
          "mm",
          [](const Tensor& a, const Tensor& b) {
            GilRelease release;
            return mm(a, b);
          },
          py::arg("mat2"),
          "Returns the matrix product of this 2-D tensor and the 2-D tensor `mat2` (no "
          "broadcasting).")
      .def("_reshape", [](const Tensor& t, const Shape& s) { return reshape(t, s); })
      .def("_view", [](const Tensor& t, const Shape& s) { return view(t, s); })
      .def("_expand", [](const Tensor& t, const Shape& s) { return expand(t, s); })
      .def("_permute", [](const Tensor& t, const std::vector<int64_t>& d) { return permute(t, d); })
      .def(
          "transpose", [](const Tensor& t, int64_t a, int64_t b) { return transpose(t, a, b); },
          py::arg("dim0"), py::arg("dim1"),
          "Returns a view of this tensor with dimensions `dim0` and `dim1` swapped.")
      .def(
          "t", [](const Tensor& t) { return fastgrad::t(t); },
          "Returns the transpose of a tensor of at most two dimensions, as a view.\n\n"
          "0-d and 1-d tensors are returned as they are; use transpose() or permute() for more "
          "dimensions.")
      .def("_squeeze", [](const Tensor& t, int64_t d) { return squeeze(t, d); })
      .def(
          "unsqueeze", [](const Tensor& t, int64_t d) { return unsqueeze(t, d); }, py::arg("dim"),
          "Returns a view of this tensor with a dimension of size one inserted at `dim`.")
      .def(
          "select",
          [](const Tensor& t, int64_t dim, int64_t index) { return select(t, dim, index); },
          py::arg("dim"), py::arg("index"),
          "Returns a view of the slice at `index` along dimension `dim`, which is removed.")
      .def("_slice",
           [](const Tensor& t, int64_t dim, std::optional<int64_t> start,
              std::optional<int64_t> end, int64_t step) { return slice(t, dim, start, end, step); })
      .def(
          "narrow",
          [](const Tensor& t, int64_t dim, int64_t start, int64_t length) {
            return narrow(t, dim, start, length);
          },
          py::arg("dim"), py::arg("start"), py::arg("length"),
          "Returns a view of `length` elements of dimension `dim`, starting at `start`.")
      .def("_flip", [](const Tensor& t, const std::vector<int64_t>& dims) { return flip(t, dims); })
      .def("_index",
           [](const Tensor& t, const std::vector<std::optional<Tensor>>& ix) {
             TensorList v;
             for (auto& i : ix) v.push_back(i.value_or(Tensor()));
             return index(t, v);
           })
      .def("_index_put_",
           [](py::object self, const std::vector<std::optional<Tensor>>& ix, py::handle values,
              bool accumulate) {
             TensorList v;
             for (auto& i : ix) v.push_back(i.value_or(Tensor()));
             const Tensor& t = self.cast<const Tensor&>();
             Tensor vals = operand_or_throw(values, "index_put_");
             index_put_(t, v, vals, accumulate);
             return self;
           })
      .def(
          "index_select",
          [](const Tensor& t, int64_t dim, const Tensor& index) {
            return index_select(t, dim, index);
          },
          py::arg("dim"), py::arg("index"),
          "Returns a new tensor with the entries of this tensor along `dim` at the positions in "
          "`index`, a 1-D int64 tensor.")
      .def(
          "gather",
          [](const Tensor& t, int64_t dim, const Tensor& index) { return gather(t, dim, index); },
          py::arg("dim"), py::arg("index"),
          "Returns the values of this tensor along `dim` at the positions in `index`.\n\n"
          "`index` is an int64 tensor with as many dimensions as this one; for dim=0, out[i][j] = "
          "self[index[i][j]][j]. The result has the shape of `index`.")
      .def(
          "masked_fill",
          [](const Tensor& t, const Tensor& mask, py::handle value) {
            return masked_fill(t, mask, operand_or_throw(value, "masked_fill"));
          },
          py::arg("mask"), py::arg("value"),
          "Returns a copy of this tensor with `value` where the bool tensor `mask` is True.\n\n"
          "`mask` broadcasts to this tensor's shape; `value` is a number or a 0-d tensor.")
      .def(
          "masked_fill_",
          [](py::object self, const Tensor& mask, py::handle value) {
            masked_fill_(self.cast<const Tensor&>(), mask, operand_or_throw(value, "masked_fill_"));
            return self;
          },
          py::arg("mask"), py::arg("value"),
          "Writes `value` where the bool tensor `mask` is True, in place, and returns this tensor.")
      .def("_prod", [](const Tensor& t, std::optional<int64_t> dim,
                       bool keepdim) { return dim ? prod(t, *dim, keepdim) : prod(t); })
      .def("_var",
           [](const Tensor& t, std::optional<std::vector<int64_t>> dims, double correction,
              bool keepdim) {
             return var(t, dims.value_or(std::vector<int64_t>{}), correction, keepdim);
           })
      .def("_std",
           [](const Tensor& t, std::optional<std::vector<int64_t>> dims, double correction,
              bool keepdim) {
             return fastgrad::std(t, dims.value_or(std::vector<int64_t>{}), correction, keepdim);
           })
      .def(
          "argmax",
          [](const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
            return argmax(t, dim, keepdim);
          },
          py::arg("dim") = py::none(), py::arg("keepdim") = false,
          "Returns the indices (int64) of the largest values: of the flattened tensor when `dim` "
          "is None, otherwise along `dim`.")
      .def(
          "argmin",
          [](const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
            return argmin(t, dim, keepdim);
          },
          py::arg("dim") = py::none(), py::arg("keepdim") = false,
          "Returns the indices (int64) of the smallest values: of the flattened tensor when `dim` "
          "is None, otherwise along `dim`.")
      .def("_cumsum", [](const Tensor& t, int64_t dim) { return cumsum(t, dim); })
      .def("_logsumexp", [](const Tensor& t, const std::vector<int64_t>& dims,
                            bool keepdim) { return logsumexp(t, dims, keepdim); })
      .def("_softmax",
           [](const Tensor& t, int64_t dim) {
             return without_gil_if(is_large(t), [&] { return softmax(t, dim); });
           })
      .def("_log_softmax",
           [](const Tensor& t, int64_t dim) {
             return without_gil_if(is_large(t), [&] { return log_softmax(t, dim); });
           })
      .def("_norm",
           [](const Tensor& t, double p, std::optional<std::vector<int64_t>> dims, bool keepdim) {
             return norm(t, p, dims.value_or(std::vector<int64_t>{}), keepdim);
           })
      .def("_set_grad_fn_name",
           [](const Tensor& t, const std::string& name) {
             if (auto fn = t.grad_fn()) fn->set_display_name(name);
           })
      .def(
          "log1p", [](const Tensor& t) { return log1p(t); },
          "Returns a new tensor with log(1 + x) of each element, accurate for small x.")
      .def(
          "expm1", [](const Tensor& t) { return expm1(t); },
          "Returns a new tensor with exp(x) - 1 of each element, accurate for small x.")
      .def("__and__",
           binary_dunder([](const Tensor& a, const Tensor& b) { return bitwise_and(a, b); }),
           "Returns self & other: logical AND of bool tensors, bitwise AND of int64 ones.")
      .def("__rand__",
           reflected_dunder([](const Tensor& a, const Tensor& b) { return bitwise_and(a, b); }),
           "Returns other & self, for a number `other` on the left.")
      .def("__or__",
           binary_dunder([](const Tensor& a, const Tensor& b) { return bitwise_or(a, b); }),
           "Returns self | other: logical OR of bool tensors, bitwise OR of int64 ones.")
      .def("__ror__",
           reflected_dunder([](const Tensor& a, const Tensor& b) { return bitwise_or(a, b); }),
           "Returns other | self, for a number `other` on the left.")
      .def("__xor__",
           binary_dunder([](const Tensor& a, const Tensor& b) { return bitwise_xor(a, b); }),
           "Returns self ^ other: logical XOR of bool tensors, bitwise XOR of int64 ones.")
      .def("__rxor__",
           reflected_dunder([](const Tensor& a, const Tensor& b) { return bitwise_xor(a, b); }),
           "Returns other ^ self, for a number `other` on the left.")
      .def(
          "__invert__", [](const Tensor& t) { return bitwise_not(t); },
          "Returns ~self: logical NOT of a bool tensor, bitwise NOT of an int64 one.")
      .def(
          "logical_not", [](const Tensor& t) { return eq(t, wrapped_scalar(0)); },
          "Returns a bool tensor, True where this tensor is zero (False).")
      .def(
          "logical_and",
          [](const Tensor& a, const Tensor& b) {
            return bitwise_and(ne(a, wrapped_scalar(0)), ne(b, wrapped_scalar(0)));
          },
          py::arg("other"),
          "Returns a bool tensor, True where both this tensor and `other` are nonzero.")
      .def(
          "logical_or",
          [](const Tensor& a, const Tensor& b) {
            return bitwise_or(ne(a, wrapped_scalar(0)), ne(b, wrapped_scalar(0)));
          },
          py::arg("other"),
          "Returns a bool tensor, True where this tensor or `other` (or both) is nonzero.")
      .def(
          "is_inference", [](const Tensor& t) { return t.impl()->is_inference(); },
          "Returns True if this tensor was created inside an inference_mode block.")
      .def("_contiguous", unary_method(&Tensor::contiguous))
      .def("clone", unary_method(&Tensor::clone),
           "Returns a copy of this tensor in new memory.\n\n"
           "The copy stays in the autograd graph: gradients flow back through it to this tensor. "
           "Use detach().clone() for an independent copy.");
}

}  // namespace fastgrad::python
