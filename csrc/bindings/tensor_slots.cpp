// The arithmetic operators of Tensor as CPython number slots, Tensor.grad, .dtype and .shape
// as getset descriptors, Tensor.backward, the unary ops and zero_ as C methods and the
// grad-mode switch as a plain C function: the paths a small training step takes dozens of
// times.
//
// Through pybind11, `a * b` went slot_nb_multiply -> look up __mul__ -> bound-method object ->
// pybind11's dispatcher -> argument casters: about 1,000 instructions before the op, a fifth of
// a 0-d multiply with autograd. The pybind11-bound dunders (__mul__, __rmul__, ...) stay in the
// class dict with their docstrings; they and these slots call the same functions, so explicit
// `t.__mul__(x)` calls and Python subclasses (nn.Parameter), which dispatch through the dict,
// behave exactly alike, only slower.
#include "common.h"
#include "fastgrad/grad_mode.h"
#include "fastgrad/ops.h"

namespace fastgrad::python {

namespace {

PyObject* not_implemented() { Py_RETURN_NOTIMPLEMENTED; }

// Runs f, turning C++ exceptions into the Python ones pybind11's translators give.
template <typename F>
PyObject* guarded(F&& f) noexcept {
  try {
    return f();
  } catch (...) {
    py::detail::try_translate_exceptions();
    return nullptr;
  }
}

PyObject* wrap(Tensor&& t) { return new_tensor_object(std::move(t)); }

// `a op b` where a, b or both are tensors: Python calls one slot for __op__ and __rop__.
// Forward(self, other) and Reflected(self, other) are what __op__ and __rop__ compute.
template <typename Forward, typename Reflected>
PyObject* binary_slot(PyObject* a, PyObject* b, Forward forward, Reflected reflected) {
  return guarded([&]() -> PyObject* {
    if (const Tensor* self = tensor_of(a)) {
      auto other = as_operator_operand(b);
      if (!other) return not_implemented();
      return wrap(without_gil_if(is_large(*self) || is_large(*other),
                                 [&] { return forward(*self, *other); }));
    }
    const Tensor* self = tensor_of(b);
    auto other = self ? as_operator_operand(a) : std::nullopt;
    if (!other) return not_implemented();
    return wrap(without_gil_if(is_large(*self) || is_large(*other),
                               [&] { return reflected(*self, *other); }));
  });
}

// `a op= b`: only the left operand's slot is called, and it returns the same object.
template <typename F>
PyObject* inplace_slot(PyObject* a, PyObject* b, F f) {
  return guarded([&]() -> PyObject* {
    const Tensor* self = tensor_of(a);
    auto other = self ? as_operator_operand(b) : std::nullopt;
    if (!other) return not_implemented();
    without_gil_if(is_large(*self) || is_large(*other), [&] { f(*self, *other); });
    Py_INCREF(a);
    return a;
  });
}

PyObject* nb_add(PyObject* a, PyObject* b) {
  return binary_slot(
      a, b, [](const Tensor& s, const Tensor& o) { return add(s, o); },
      [](const Tensor& s, const Tensor& o) { return add(o, s); });
}
PyObject* nb_subtract(PyObject* a, PyObject* b) {
  return binary_slot(
      a, b, [](const Tensor& s, const Tensor& o) { return sub(s, o); },
      [](const Tensor& s, const Tensor& o) { return rsub(s, o); });
}
PyObject* nb_multiply(PyObject* a, PyObject* b) {
  return binary_slot(
      a, b, [](const Tensor& s, const Tensor& o) { return mul(s, o); },
      [](const Tensor& s, const Tensor& o) { return mul(o, s); });
}
PyObject* nb_true_divide(PyObject* a, PyObject* b) {
  return binary_slot(
      a, b, [](const Tensor& s, const Tensor& o) { return div(s, o); },
      [](const Tensor& s, const Tensor& o) { return div(o, s); });
}
PyObject* nb_inplace_add(PyObject* a, PyObject* b) {
  return inplace_slot(a, b, [](const Tensor& s, const Tensor& o) { s.add_(o); });
}
PyObject* nb_inplace_subtract(PyObject* a, PyObject* b) {
  return inplace_slot(a, b, [](const Tensor& s, const Tensor& o) { s.sub_(o); });
}
PyObject* nb_inplace_multiply(PyObject* a, PyObject* b) {
  return inplace_slot(a, b, [](const Tensor& s, const Tensor& o) { s.mul_(o); });
}
PyObject* nb_inplace_true_divide(PyObject* a, PyObject* b) {
  return inplace_slot(a, b, [](const Tensor& s, const Tensor& o) { s.div_(o); });
}

// a ** b (and pow(a, b) with no modulus), as __pow__ / __rpow__: a number exponent or base stays
// a Scalar.
PyObject* nb_power(PyObject* a, PyObject* b, PyObject* mod) {
  if (mod != Py_None) return not_implemented();
  return guarded([&]() -> PyObject* {
    if (const Tensor* self = tensor_of(a)) {
      if (auto s = as_scalar(b)) return wrap(pow(*self, *s));
      if (const Tensor* e = tensor_of(b)) return wrap(pow(*self, *e));
      return not_implemented();
    }
    const Tensor* self = tensor_of(b);
    if (!self) return not_implemented();
    if (auto s = as_scalar(a)) return wrap(pow(*s, *self));
    return not_implemented();
  });
}

constexpr const char* kNonLeafGradWarning =
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If "
    "you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more informations.";

// The getter warns on a non-leaf, as PyTorch; the setter checks dtype and shape.
py::object get_grad(const Tensor& t) {
  if (!t.is_leaf() && !t.retains_grad() &&
      PyErr_WarnEx(PyExc_UserWarning, kNonLeafGradWarning, 1) != 0)
    throw py::error_already_set();  // the warning filter made it an error
  Tensor g = t.grad();
  return g.defined() ? py::cast(std::move(g)) : py::none();
}

void set_grad(const Tensor& t, py::object g) {
  if (g.is_none()) return t.set_grad(Tensor());
  if (!py::isinstance<Tensor>(g))
    throw py::type_error(std::string("assigned grad expected to be a Tensor or None but got ") +
                         Py_TYPE(g.ptr())->tp_name);
  const Tensor& v = g.cast<const Tensor&>();
  if (v.dtype() != t.dtype())
    throw Error(std::string("attempting to assign a gradient with dtype '") +
                std::string(py::str(dtype_object(v.dtype()))) + "' to a tensor with dtype '" +
                std::string(py::str(dtype_object(t.dtype()))) +
                "'. Please ensure that the gradient and the tensor have the same dtype");
  if (v.sizes() != t.sizes())
    throw Error("attempting to assign a gradient of size '" + shape_list(v.sizes()) +
                "' to a tensor of size '" + shape_list(t.sizes()) +
                "'. Please ensure that the gradient and the tensor are the same size");
  t.set_grad(v);
}

// `self` of the C methods and getset descriptors below, or nullptr with a TypeError set (the
// descriptor has checked the type already; this catches an object whose __init__ never ran).
const Tensor* method_self(PyObject* self) {
  const Tensor* t = tensor_of(self);
  if (!t) PyErr_SetString(PyExc_TypeError, "the Tensor's __init__ has not been called");
  return t;
}

// Tensor.grad as a getset descriptor: read four times in a typical optimizer step, and a
// pybind11 property costs a property object call plus the dispatcher (~1,500 instructions).

PyObject* grad_get(PyObject* self, void*) {
  const Tensor* t = method_self(self);
  if (!t) return nullptr;
  return guarded([&] { return get_grad(*t).release().ptr(); });
}

int grad_set(PyObject* self, PyObject* value, void*) {
  if (!value) {
    PyErr_SetString(PyExc_AttributeError, "can't delete the grad attribute");  // torch: same
    return -1;
  }
  const Tensor* t = method_self(self);
  if (!t) return -1;
  PyObject* r = guarded([&] {
    set_grad(*t, py::reinterpret_borrow<py::object>(value));
    Py_RETURN_NONE;
  });
  if (!r) return -1;
  Py_DECREF(r);
  return 0;
}

// Tensor.backward(gradient=None, retain_graph=None, create_graph=False, inputs=None) as a C
// method: every training step calls it, and a Python wrapper plus pybind11's dispatch of the
// bound method cost ~2,000 instructions, an eighth of a 0-d `(x ** 2).backward()` round trip.
// create_graph=True (which warns) and inputs= go to the Python implementation,
// _tensor._backward_general.
constexpr const char* kBackwardArgs[] = {"gradient", "retain_graph", "create_graph", "inputs"};

PyObject* backward_general(PyObject* self, PyObject* const* values) {
  static PyObject* general = nullptr;  // a strong reference, kept for the process
  if (!general) {
    PyObject* module = PyImport_ImportModule("fastgrad._tensor");
    if (!module) return nullptr;
    general = PyObject_GetAttrString(module, "_backward_general");
    Py_DECREF(module);
    if (!general) return nullptr;
  }
  PyObject* call_args[] = {self, values[0], values[1], values[2], values[3]};
  return PyObject_Vectorcall(general, call_args, 5, nullptr);
}

PyObject* tensor_backward(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                          PyObject* kwnames) {
  PyObject* values[4] = {Py_None, Py_None, Py_False, Py_None};
  if (nargs > 4) {
    PyErr_Format(PyExc_TypeError,
                 "backward() takes from 1 to 5 positional arguments but %zd were given", nargs + 1);
    return nullptr;
  }
  for (Py_ssize_t i = 0; i < nargs; ++i) values[i] = args[i];
  const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  for (Py_ssize_t k = 0; k < nkw; ++k) {
    PyObject* key = PyTuple_GET_ITEM(kwnames, k);
    int slot = -1;
    for (int i = 0; i < 4 && slot < 0; ++i)
      if (PyUnicode_CompareWithASCIIString(key, kBackwardArgs[i]) == 0) slot = i;
    if (slot < 0) {
      PyErr_Format(PyExc_TypeError, "backward() got an unexpected keyword argument '%U'", key);
      return nullptr;
    }
    if (slot < nargs) {
      PyErr_Format(PyExc_TypeError, "backward() got multiple values for argument '%U'", key);
      return nullptr;
    }
    values[slot] = args[nargs + k];
  }
  const int create_graph = PyObject_IsTrue(values[2]);
  if (create_graph < 0) return nullptr;
  if (create_graph || values[3] != Py_None) return backward_general(self, values);
  const Tensor* t = tensor_of(self);
  if (!t) {
    PyErr_SetString(PyExc_TypeError, "backward(): self must be a fastgrad Tensor");
    return nullptr;
  }
  std::optional<bool> retain_graph;
  if (values[1] != Py_None) {
    const int retain = PyObject_IsTrue(values[1]);
    if (retain < 0) return nullptr;
    retain_graph = retain != 0;
  }
  return guarded([&]() -> PyObject* {
    Tensor g = values[0] == Py_None ? Tensor() : operand_or_throw(values[0], "backward");
    {
      GilRelease gil{GilRelease::Deferred{}};  // dropped only if the backward takes long
      autograd::backward(*t, g, retain_graph, false, gil.releaser());
    }
    Py_RETURN_NONE;
  });
}

const PyMethodDef kBackward = {
    "backward", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(tensor_backward)),
    METH_FASTCALL | METH_KEYWORDS,
    "backward($self, /, gradient=None, retain_graph=None, create_graph=False, inputs=None)\n--\n\n"
    "Computes the gradient of this tensor with respect to the graph leaves.\n\n"
    "The gradients are accumulated into the leaves' .grad. `gradient` is d(loss)/d(self) and may "
    "be omitted for a one-element tensor. The graph is freed afterwards unless "
    "`retain_graph=True`; `create_graph=True` records the backward pass so that higher "
    "derivatives can be taken. `inputs` limits accumulation to those tensors."};

// Tensor.dtype and Tensor.shape as getset descriptors: loss functions and user code read
// them on every step, and as a pybind11 property and a Python property over a bound method
// they cost ~800 and ~3,000 instructions.
PyObject* dtype_get(PyObject* self, void*) {
  const Tensor* t = method_self(self);
  if (!t) return nullptr;
  return dtype_object(t->dtype()).release().ptr();
}

PyObject* shape_get(PyObject* self, void*) {
  const Tensor* t = method_self(self);
  if (!t) return nullptr;
  // fastgrad.Size, a Python tuple subclass, imported on first use (it is not there yet when
  // this module initialises) and kept for the life of the process. Checked to be one, since
  // the tuple's items are written directly below.
  static PyObject* size_type = nullptr;
  if (!size_type) {
    PyObject* mod = PyImport_ImportModule("fastgrad._size");
    if (!mod) return nullptr;
    PyObject* found = PyObject_GetAttrString(mod, "Size");
    Py_DECREF(mod);
    if (!found) return nullptr;
    if (!PyType_Check(found) ||
        !PyType_IsSubtype(reinterpret_cast<PyTypeObject*>(found), &PyTuple_Type)) {
      Py_DECREF(found);
      return PyErr_Format(PyExc_RuntimeError, "fastgrad._size.Size is not a tuple subclass");
    }
    size_type = found;
  }
  // Made as CPython's tuple_subtype_new makes an instance of a tuple subclass (Size defines
  // neither __new__ nor __init__), without the temporary tuple and the call.
  auto* type = reinterpret_cast<PyTypeObject*>(size_type);
  const Shape& sizes = t->sizes();
  PyObject* shape = type->tp_alloc(type, static_cast<Py_ssize_t>(sizes.size()));
  if (!shape) return nullptr;
  for (size_t i = 0; i < sizes.size(); ++i) {
    PyObject* n = PyLong_FromLongLong(sizes[i]);
    if (!n) {
      Py_DECREF(shape);  // the remaining items are null, which tuple dealloc skips
      return nullptr;
    }
    PyTuple_SET_ITEM(shape, static_cast<Py_ssize_t>(i), n);
  }
  return shape;
}

PyGetSetDef kGetSets[] = {
    {"grad", grad_get, grad_set,
     "The gradient accumulated into this tensor by backward(), or None until there is one.\n\n"
     "Only leaves get one, unless retain_grad() was called; reading it on another non-leaf "
     "warns, as in PyTorch. An assigned gradient must match the tensor's dtype and shape.",
     nullptr},
    {"dtype", dtype_get, nullptr,
     "The data type of this tensor's elements: float32, float64, int64 or bool.", nullptr},
    {"shape", shape_get, nullptr,
     "The size of each dimension of this tensor, as a fastgrad.Size (a tuple of ints).", nullptr},
};

// The unary ops and zero_ as C methods (METH_NOARGS): through pybind11's dispatcher, a call
// on a 0-d tensor cost ~1,000 instructions more (`z.sigmoid()` 4.7k).

template <Tensor (Tensor::*Op)() const>
PyObject* unary_op(PyObject* self, PyObject*) {
  const Tensor* t = method_self(self);
  if (!t) return nullptr;
  return guarded([&] { return wrap(without_gil_if(is_large(*t), [&] { return (t->*Op)(); })); });
}

PyObject* zero_op(PyObject* self, PyObject*) {
  const Tensor* t = method_self(self);
  if (!t) return nullptr;
  return guarded([&] {
    t->zero_();
    Py_INCREF(self);
    return self;
  });
}

template <Tensor (Tensor::*Op)() const>
constexpr PyMethodDef unary_def(const char* name, const char* doc) {
  return {name, unary_op<Op>, METH_NOARGS, doc};
}

// The docstrings start with the signature line pybind11 would write (help() and
// tools/generate_stub.py read it).
PyMethodDef kMethods[] = {
    kBackward,
    unary_def<&Tensor::neg>("neg",
                            "neg(self) -> Tensor\n\nReturns a new tensor with the negative of "
                            "the elements of this tensor."),
    unary_def<&Tensor::neg>("negative",
                            "negative(self) -> Tensor\n\nReturns a new tensor with the negative "
                            "of the elements of this tensor (an alias of neg())."),
    unary_def<&Tensor::exp>("exp",
                            "exp(self) -> Tensor\n\nReturns a new tensor with the "
                            "exponential of the elements of this tensor."),
    unary_def<&Tensor::log>("log",
                            "log(self) -> Tensor\n\nReturns a new tensor with the natural "
                            "logarithm of the elements of this tensor."),
    unary_def<&Tensor::sin>("sin",
                            "sin(self) -> Tensor\n\nReturns a new tensor with the sine of "
                            "the elements of this tensor (in radians)."),
    unary_def<&Tensor::cos>("cos",
                            "cos(self) -> Tensor\n\nReturns a new tensor with the cosine of "
                            "the elements of this tensor (in radians)."),
    unary_def<&Tensor::tanh>("tanh",
                             "tanh(self) -> Tensor\n\nReturns a new tensor with the "
                             "hyperbolic tangent of the elements of this tensor."),
    unary_def<&Tensor::sigmoid>("sigmoid",
                                "sigmoid(self) -> Tensor\n\nReturns a new tensor with the logistic "
                                "sigmoid 1 / (1 + exp(-x)) of each element."),
    unary_def<&Tensor::relu>("relu",
                             "relu(self) -> Tensor\n\nReturns a new tensor with the "
                             "rectified linear unit max(x, 0) of each element."),
    unary_def<&Tensor::sqrt>("sqrt",
                             "sqrt(self) -> Tensor\n\nReturns a new tensor with the square "
                             "root of the elements of this tensor."),
    unary_def<&Tensor::abs>("abs",
                            "abs(self) -> Tensor\n\nReturns a new tensor with the absolute "
                            "value of the elements of this tensor."),
    {"zero_", zero_op, METH_NOARGS,
     "zero_(self) -> Tensor\n\nFills this tensor with zeros, in place, and returns it."},
};

// -self and abs(self) as number slots (the bound __neg__ / __abs__ stay for explicit calls).
PyObject* nb_negative(PyObject* a) { return unary_op<&Tensor::neg>(a, nullptr); }
PyObject* nb_absolute(PyObject* a) { return unary_op<&Tensor::abs>(a, nullptr); }

// _C._set_grad_enabled(mode) -> previous mode: what every no_grad block calls twice.
PyObject* set_grad_enabled(PyObject*, PyObject* mode) {
  if (!PyBool_Check(mode)) {
    PyErr_Format(PyExc_TypeError, "_set_grad_enabled(): argument must be bool, not %s",
                 Py_TYPE(mode)->tp_name);
    return nullptr;
  }
  const bool prev = GradMode::is_enabled();
  GradMode::set_enabled(mode == Py_True);
  return PyBool_FromLong(prev);
}

PyMethodDef kSetGradEnabled = {
    "_set_grad_enabled", set_grad_enabled, METH_O,
    "_set_grad_enabled(mode: bool) -> bool\n\nSets grad mode for this thread; returns the "
    "previous mode."};

}  // namespace

void init_tensor_slots(py::module_& m) {
  auto* type = reinterpret_cast<PyTypeObject*>(py::type::of<Tensor>().ptr());
  PyNumberMethods* nb = type->tp_as_number;
  nb->nb_add = nb_add;
  nb->nb_subtract = nb_subtract;
  nb->nb_multiply = nb_multiply;
  nb->nb_true_divide = nb_true_divide;
  nb->nb_inplace_add = nb_inplace_add;
  nb->nb_inplace_subtract = nb_inplace_subtract;
  nb->nb_inplace_multiply = nb_inplace_multiply;
  nb->nb_inplace_true_divide = nb_inplace_true_divide;
  nb->nb_power = nb_power;
  nb->nb_negative = nb_negative;
  nb->nb_absolute = nb_absolute;
  for (PyGetSetDef& def : kGetSets) {
    py::object d = py::reinterpret_steal<py::object>(PyDescr_NewGetSet(type, &def));
    if (!d || PyObject_SetAttrString(reinterpret_cast<PyObject*>(type), def.name, d.ptr()))
      throw py::error_already_set();
  }
  for (PyMethodDef& def : kMethods) {
    py::object m = py::reinterpret_steal<py::object>(PyDescr_NewMethod(type, &def));
    if (!m || PyObject_SetAttrString(reinterpret_cast<PyObject*>(type), def.ml_name, m.ptr()))
      throw py::error_already_set();
  }
  PyType_Modified(type);
  py::object f = py::reinterpret_steal<py::object>(
      PyCFunction_NewEx(&kSetGradEnabled, nullptr, m.attr("__name__").ptr()));
  if (!f) throw py::error_already_set();
  m.attr("_set_grad_enabled") = f;
}

}  // namespace fastgrad::python
