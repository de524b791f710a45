// The Tensor class as Python sees it. Methods with PyTorch's flexible signatures (sum(dim=...),
// reshape(*shape), max overloads) are finished in python/fastgrad/_tensor.py.
#include "common.h"

namespace fastgrad::python {

namespace {

// Binary dunder: Tensor op (Tensor | number), NotImplemented for anything else.
template <typename F>
auto binary_dunder(F f) {
  return [f](const Tensor& self, py::handle other) -> py::object {
    auto o = as_operand(other);
    if (!o) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
    return py::cast(without_gil_if(is_large(self) || is_large(*o), [&] { return f(self, *o); }));
  };
}

template <typename F>
auto reflected_dunder(F f) {
  return [f](const Tensor& self, py::handle other) -> py::object {
    auto o = as_operand(other);
    if (!o) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
    return py::cast(without_gil_if(is_large(self) || is_large(*o), [&] { return f(*o, self); }));
  };
}

// In-place dunder: returns self (the same Python object), as += must.
template <typename F>
auto inplace_dunder(F f) {
  return [f](py::object self, py::handle other) -> py::object {
    auto o = as_operand(other);
    if (!o) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
    const Tensor& t = self.cast<const Tensor&>();
    without_gil_if(is_large(t) || is_large(*o), [&] { f(t, *o); });
    return self;
  };
}

constexpr const char* kNonLeafGradWarning =
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If "
    "you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more informations.";

// "[2, 3]", as Python prints list(t.shape).
std::string shape_list(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

std::optional<Scalar> opt_scalar(py::handle h, const char* op) {
  if (h.is_none()) return std::nullopt;
  if (auto s = as_scalar(h)) return s;
  if (py::isinstance<Tensor>(h)) return h.cast<Tensor>().item();
  throw py::type_error(std::string(op) + "(): min and max must be numbers or None");
}

}  // namespace

void init_tensor(py::module_& m) {
  py::class_<Tensor> cls(m, "Tensor", py::dynamic_attr(), py::custom_type_setup(setup_tensor_gc));
  cls.def(py::init([](py::args args) {
       // Legacy constructor: Tensor(), Tensor(data), Tensor(*sizes), Tensor(other).
       if (args.size() == 0) return empty({0});
       if (args.size() == 1 && py::isinstance<Tensor>(args[0]))
         return args[0].cast<Tensor>().detach();
       if (args.size() == 1 && !PyLong_Check(args[0].ptr()))
         return to_dtype(tensor_from_data(args[0], std::nullopt), default_dtype());
       return zeros(parse_shape(args, "Tensor"));
     }))
      // ---- metadata
      .def_property_readonly("dtype", [](const Tensor& t) { return dtype_object(t.dtype()); })
      .def("dim", &Tensor::dim)
      .def("ndimension", &Tensor::dim)
      .def_property_readonly("ndim", &Tensor::dim)
      .def("numel", &Tensor::numel)
      .def("nelement", &Tensor::numel)
      .def("_sizes", [](const Tensor& t) { return py::tuple(py::cast(t.sizes())); })
      .def(
          "stride",
          [](const Tensor& t, py::object dim) -> py::object {
            if (dim.is_none()) return py::tuple(py::cast(t.strides()));
            return py::int_(t.stride(dim.cast<int64_t>()));
          },
          py::arg("dim") = py::none())
      .def("storage_offset", &Tensor::storage_offset)
      .def("is_contiguous", [](const Tensor& t) { return t.is_contiguous(); })
      .def("element_size", [](const Tensor& t) { return element_size(t.dtype()); })
      .def("data_ptr", [](const Tensor& t) { return reinterpret_cast<uintptr_t>(t.data_ptr()); })
      .def("is_floating_point", [](const Tensor& t) { return is_floating(t.dtype()); })
      .def_property_readonly("_version", &Tensor::version)
      // For writers that bypass the ops (MPI collectives write through a NumPy view).
      .def("_bump_version", [](const Tensor& t) { t.impl()->storage()->bump_version(); })
      .def("__len__",
           [](const Tensor& t) {
             if (t.dim() == 0) throw py::type_error("len() of a 0-d tensor");
             return t.sizes()[0];
           })
      // ---- conversion
      .def("item", [](const Tensor& t) { return scalar_to_python(t.item()); })
      .def("tolist", &tensor_to_list)
      .def(
          "numpy",
          [](const Tensor& t, bool force) {
            if (force) return tensor_to_numpy(t.detach().clone());
            return tensor_to_numpy(t);
          },
          py::kw_only(), py::arg("force") = false)
      .def("_to_dtype", [](const Tensor& t, py::handle dtype) { return t.to(*parse_dtype(dtype)); })
      .def("__bool__",
           [](const Tensor& t) {
             if (t.numel() != 1)
               throw py::value_error(
                   "Boolean value of Tensor with more than one value is ambiguous");
             return t.item<bool>();
           })
      .def("__float__", [](const Tensor& t) { return t.item<double>(); })
      .def("__int__", [](const Tensor& t) { return t.item<int64_t>(); })
      .def("__index__",
           [](const Tensor& t) {
             if (t.dtype() != ScalarType::Int64 || t.numel() != 1)
               throw py::type_error(
                   "only integer tensors of a single element can be converted to an index");
             return t.item<int64_t>();
           })
      .def("__hash__",
           [](py::handle self) {
             return py::hash(py::int_(reinterpret_cast<uintptr_t>(self.ptr())));
           })
      // ---- autograd
      .def_property("requires_grad", &Tensor::requires_grad,
                    [](const Tensor& t, bool v) {
                      // The property refuses any change on a non-leaf, as PyTorch's does.
                      if (!t.is_leaf() && v)
                        throw Error("you can only change requires_grad flags of leaf variables.");
                      t.set_requires_grad(v);
                    })
      .def(
          "requires_grad_",
          [](py::object self, bool v) {
            self.cast<const Tensor&>().set_requires_grad(v);
            return self;
          },
          py::arg("requires_grad") = true)
      .def_property_readonly("is_leaf", &Tensor::is_leaf)
      .def_property_readonly("grad_fn", [](const Tensor& t) { return wrap_node(t.grad_fn()); })
      .def_property(
          "grad",
          [](const Tensor& t) -> py::object {
            if (!t.is_leaf() && !t.retains_grad() &&
                PyErr_WarnEx(PyExc_UserWarning, kNonLeafGradWarning, 1) != 0)
              throw py::error_already_set();  // the warning filter made it an error
            Tensor g = t.grad();
            return g.defined() ? py::cast(g) : py::none();
          },
          [](const Tensor& t, py::object g) {
            if (g.is_none()) return t.set_grad(Tensor());
            if (!py::isinstance<Tensor>(g))
              throw py::type_error(
                  std::string("assigned grad expected to be a Tensor or None but got ") +
                  Py_TYPE(g.ptr())->tp_name);
            const Tensor& v = g.cast<const Tensor&>();
            if (v.dtype() != t.dtype())
              throw Error(std::string("attempting to assign a gradient with dtype '") +
                          std::string(py::str(dtype_object(v.dtype()))) +
                          "' to a tensor with dtype '" +
                          std::string(py::str(dtype_object(t.dtype()))) +
                          "'. Please ensure that the gradient and the tensor have the same dtype");
            if (v.sizes() != t.sizes())
              throw Error("attempting to assign a gradient of size '" + shape_list(v.sizes()) +
                          "' to a tensor of size '" + shape_list(t.sizes()) +
                          "'. Please ensure that the gradient and the tensor are the same size");
            t.set_grad(v);
          })
      .def_property_readonly("retains_grad", &Tensor::retains_grad)
      .def("retain_grad", &Tensor::retain_grad)
      .def("_backward",
           [](const Tensor& t, py::object gradient, std::optional<bool> retain_graph,
              bool create_graph) {
             Tensor g = gradient.is_none() ? Tensor() : operand_or_throw(gradient, "backward");
             GilRelease release;
             t.backward(g, retain_graph, create_graph);
           })
      .def("detach", &Tensor::detach)
      .def("detach_",
           [](py::object self) {
             self.cast<const Tensor&>().detach_();
             return self;
           })
      .def_property(
          "data", &Tensor::variable_data,
          [](const Tensor& t, const Tensor& other) {
            if (other.dtype() != t.dtype())
              throw Error("fastgrad: assigning .data of a different dtype is not supported");
            t.impl()->set_storage(other.impl()->storage());
            t.impl()->set_sizes_and_strides(other.sizes(), other.strides(), other.storage_offset());
          })
      .def("_register_hook",
           [](const Tensor& t, py::function fn) { t.register_hook(PyTensorHook(std::move(fn))); })
      .def("_register_post_accumulate_grad_hook",
           [](const Tensor& t, py::function fn) {
             t.register_post_accumulate_grad_hook(PyPostAccumulateHook(std::move(fn)));
           })
      // ---- unary ops
      .def("neg", unary_method(&Tensor::neg))
      .def("__neg__", unary_method(&Tensor::neg))
      .def("negative", unary_method(&Tensor::neg))
      .def("__pos__", [](const Tensor& t) { return t; })
      .def("exp", unary_method(&Tensor::exp))
      .def("log", unary_method(&Tensor::log))
      .def("sin", unary_method(&Tensor::sin))
      .def("cos", unary_method(&Tensor::cos))
      .def("tanh", unary_method(&Tensor::tanh))
      .def("sigmoid", unary_method(&Tensor::sigmoid))
      .def("relu", unary_method(&Tensor::relu))
      .def("sqrt", unary_method(&Tensor::sqrt))
      .def("abs", unary_method(&Tensor::abs))
      .def("__abs__", unary_method(&Tensor::abs))
      .def(
          "clamp",
          [](const Tensor& t, py::handle min, py::handle max) {
            return t.clamp(opt_scalar(min, "clamp"), opt_scalar(max, "clamp"));
          },
          py::arg("min") = py::none(), py::arg("max") = py::none())
      .def(
          "clamp_",
          [](py::object self, py::handle min, py::handle max) {
            self.cast<const Tensor&>().clamp_(opt_scalar(min, "clamp_"), opt_scalar(max, "clamp_"));
            return self;
          },
          py::arg("min") = py::none(), py::arg("max") = py::none())
      // ---- binary ops and operators
      .def("__add__", binary_dunder([](const Tensor& a, const Tensor& b) { return add(a, b); }))
      .def("__radd__", reflected_dunder([](const Tensor& a, const Tensor& b) { return add(a, b); }))
      .def("__sub__", binary_dunder([](const Tensor& a, const Tensor& b) { return sub(a, b); }))
      .def("__rsub__",
           binary_dunder([](const Tensor& self, const Tensor& other) { return rsub(self, other); }))
      .def("__mul__", binary_dunder([](const Tensor& a, const Tensor& b) { return mul(a, b); }))
      .def("__rmul__", reflected_dunder([](const Tensor& a, const Tensor& b) { return mul(a, b); }))
      .def("__truediv__", binary_dunder([](const Tensor& a, const Tensor& b) { return div(a, b); }))
      .def("__rtruediv__",
           reflected_dunder([](const Tensor& a, const Tensor& b) { return div(a, b); }))
      .def("__pow__",
           [](const Tensor& self, py::handle other) -> py::object {
             // x ** 2: the exponent stays a number (no wrapped tensor to build and unwrap).
             if (auto s = as_scalar(other)) return py::cast(pow(self, *s));
             if (py::isinstance<Tensor>(other)) return py::cast(pow(self, other.cast<Tensor>()));
             return py::reinterpret_borrow<py::object>(Py_NotImplemented);
           })
      .def("__rpow__",
           [](const Tensor& self, py::handle other) -> py::object {
             if (auto s = as_scalar(other)) return py::cast(pow(*s, self));
             if (py::isinstance<Tensor>(other)) return py::cast(pow(other.cast<Tensor>(), self));
             return py::reinterpret_borrow<py::object>(Py_NotImplemented);
           })
      .def("__matmul__",
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
           })
      .def("__gt__", binary_dunder([](const Tensor& a, const Tensor& b) { return gt(a, b); }))
      .def("__lt__", binary_dunder([](const Tensor& a, const Tensor& b) { return lt(a, b); }))
      .def("__ge__", binary_dunder([](const Tensor& a, const Tensor& b) { return ge(a, b); }))
      .def("__le__", binary_dunder([](const Tensor& a, const Tensor& b) { return le(a, b); }))
      .def("__eq__", binary_dunder([](const Tensor& a, const Tensor& b) { return eq(a, b); }))
      .def("__ne__", binary_dunder([](const Tensor& a, const Tensor& b) { return ne(a, b); }))
      .def("__iadd__", inplace_dunder([](const Tensor& a, const Tensor& b) { a.add_(b); }))
      .def("__isub__", inplace_dunder([](const Tensor& a, const Tensor& b) { a.sub_(b); }))
      .def("__imul__", inplace_dunder([](const Tensor& a, const Tensor& b) { a.mul_(b); }))
      .def("__itruediv__", inplace_dunder([](const Tensor& a, const Tensor& b) { a.div_(b); }))
      .def(
          "add",
          [](const Tensor& a, py::handle b, py::handle alpha) {
            return add(a, operand_or_throw(b, "add"),
                       as_scalar(alpha).value_or(Scalar(int64_t{1})));
          },
          py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def(
          "sub",
          [](const Tensor& a, py::handle b, py::handle alpha) {
            return sub(a, operand_or_throw(b, "sub"),
                       as_scalar(alpha).value_or(Scalar(int64_t{1})));
          },
          py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("mul", [](const Tensor& a, py::handle b) { return mul(a, operand_or_throw(b, "mul")); })
      .def("div", [](const Tensor& a, py::handle b) { return div(a, operand_or_throw(b, "div")); })
      .def("pow", [](const Tensor& a, py::handle b) { return pow(a, operand_or_throw(b, "pow")); })
      .def("maximum", [](const Tensor& a, const Tensor& b) { return maximum(a, b); })
      .def("minimum", [](const Tensor& a, const Tensor& b) { return minimum(a, b); })
      .def("gt", [](const Tensor& a, py::handle b) { return gt(a, operand_or_throw(b, "gt")); })
      .def("lt", [](const Tensor& a, py::handle b) { return lt(a, operand_or_throw(b, "lt")); })
      .def("ge", [](const Tensor& a, py::handle b) { return ge(a, operand_or_throw(b, "ge")); })
      .def("le", [](const Tensor& a, py::handle b) { return le(a, operand_or_throw(b, "le")); })
      .def("eq", [](const Tensor& a, py::handle b) { return eq(a, operand_or_throw(b, "eq")); })
      .def("ne", [](const Tensor& a, py::handle b) { return ne(a, operand_or_throw(b, "ne")); })
      .def(
          "add_",
          [](py::object self, py::handle b, py::handle alpha) {
            self.cast<const Tensor&>().add_(operand_or_throw(b, "add_"),
                                            as_scalar(alpha).value_or(Scalar(int64_t{1})));
            return self;
          },
          py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def(
          "sub_",
          [](py::object self, py::handle b, py::handle alpha) {
            self.cast<const Tensor&>().sub_(operand_or_throw(b, "sub_"),
                                            as_scalar(alpha).value_or(Scalar(int64_t{1})));
            return self;
          },
          py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def("mul_",
           [](py::object self, py::handle b) {
             self.cast<const Tensor&>().mul_(operand_or_throw(b, "mul_"));
             return self;
           })
      .def("div_",
           [](py::object self, py::handle b) {
             self.cast<const Tensor&>().div_(operand_or_throw(b, "div_"));
             return self;
           })
      .def("zero_",
           [](py::object self) {
             self.cast<const Tensor&>().zero_();
             return self;
           })
      .def("fill_",
           [](py::object self, py::handle v) {
             auto s = as_scalar(v);
             if (!s && py::isinstance<Tensor>(v)) s = v.cast<Tensor>().item();
             if (!s) throw py::type_error("fill_(): argument 'value' must be Number");
             self.cast<const Tensor&>().fill_(*s);
             return self;
           })
      .def("copy_",
           [](py::object self, const Tensor& src) {
             self.cast<const Tensor&>().copy_(src);
             return self;
           })
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
      .def("matmul",
           [](const Tensor& a, const Tensor& b) {
             GilRelease release;
             return matmul(a, b);
           })
      .def("mm",
           [](const Tensor& a, const Tensor& b) {
             GilRelease release;
             return mm(a, b);
           })
      .def("_reshape", [](const Tensor& t, const Shape& s) { return reshape(t, s); })
      .def("_view", [](const Tensor& t, const Shape& s) { return view(t, s); })
      .def("_expand", [](const Tensor& t, const Shape& s) { return expand(t, s); })
      .def("_permute", [](const Tensor& t, const std::vector<int64_t>& d) { return permute(t, d); })
      .def(
          "transpose", [](const Tensor& t, int64_t a, int64_t b) { return transpose(t, a, b); },
          py::arg("dim0"), py::arg("dim1"))
      .def("t", [](const Tensor& t) { return fastgrad::t(t); })
      .def("_squeeze", [](const Tensor& t, int64_t d) { return squeeze(t, d); })
      .def(
          "unsqueeze", [](const Tensor& t, int64_t d) { return unsqueeze(t, d); }, py::arg("dim"))
      .def(
          "select",
          [](const Tensor& t, int64_t dim, int64_t index) { return select(t, dim, index); },
          py::arg("dim"), py::arg("index"))
      .def("_slice",
           [](const Tensor& t, int64_t dim, std::optional<int64_t> start,
              std::optional<int64_t> end, int64_t step) { return slice(t, dim, start, end, step); })
      .def(
          "narrow",
          [](const Tensor& t, int64_t dim, int64_t start, int64_t length) {
            return narrow(t, dim, start, length);
          },
          py::arg("dim"), py::arg("start"), py::arg("length"))
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
          py::arg("dim"), py::arg("index"))
      .def(
          "gather",
          [](const Tensor& t, int64_t dim, const Tensor& index) { return gather(t, dim, index); },
          py::arg("dim"), py::arg("index"))
      .def(
          "masked_fill",
          [](const Tensor& t, const Tensor& mask, py::handle value) {
            return masked_fill(t, mask, operand_or_throw(value, "masked_fill"));
          },
          py::arg("mask"), py::arg("value"))
      .def(
          "masked_fill_",
          [](py::object self, const Tensor& mask, py::handle value) {
            masked_fill_(self.cast<const Tensor&>(), mask, operand_or_throw(value, "masked_fill_"));
            return self;
          },
          py::arg("mask"), py::arg("value"))
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
          py::arg("dim") = py::none(), py::arg("keepdim") = false)
      .def(
          "argmin",
          [](const Tensor& t, std::optional<int64_t> dim, bool keepdim) {
            return argmin(t, dim, keepdim);
          },
          py::arg("dim") = py::none(), py::arg("keepdim") = false)
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
      .def("log1p", [](const Tensor& t) { return log1p(t); })
      .def("expm1", [](const Tensor& t) { return expm1(t); })
      .def("__and__",
           binary_dunder([](const Tensor& a, const Tensor& b) { return bitwise_and(a, b); }))
      .def("__rand__",
           reflected_dunder([](const Tensor& a, const Tensor& b) { return bitwise_and(a, b); }))
      .def("__or__",
           binary_dunder([](const Tensor& a, const Tensor& b) { return bitwise_or(a, b); }))
      .def("__ror__",
           reflected_dunder([](const Tensor& a, const Tensor& b) { return bitwise_or(a, b); }))
      .def("__xor__",
           binary_dunder([](const Tensor& a, const Tensor& b) { return bitwise_xor(a, b); }))
      .def("__rxor__",
           reflected_dunder([](const Tensor& a, const Tensor& b) { return bitwise_xor(a, b); }))
      .def("__invert__", [](const Tensor& t) { return bitwise_not(t); })
      .def("logical_not", [](const Tensor& t) { return eq(t, wrapped_scalar(0)); })
      .def("logical_and",
           [](const Tensor& a, const Tensor& b) {
             return bitwise_and(ne(a, wrapped_scalar(0)), ne(b, wrapped_scalar(0)));
           })
      .def("logical_or",
           [](const Tensor& a, const Tensor& b) {
             return bitwise_or(ne(a, wrapped_scalar(0)), ne(b, wrapped_scalar(0)));
           })
      .def("is_inference", [](const Tensor& t) { return t.impl()->is_inference(); })
      .def("_contiguous", unary_method(&Tensor::contiguous))
      .def("clone", unary_method(&Tensor::clone));
}

}  // namespace fastgrad::python
