#pragma once
// Shared by the binding files: argument conversion between Python objects and fastgrad types.
// Bindings convert arguments and call one C++ function; they do no math.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <functional>
#include <optional>

#include "fastgrad/fastgrad.h"

namespace py = pybind11;

namespace fastgrad::python {

// The Python-visible dtype object (fastgrad.float32, ...).
struct DType {
  ScalarType type;
};

// dtype= arguments: a fastgrad dtype, None, or the Python types float/int/bool as PyTorch allows.
std::optional<ScalarType> parse_dtype(py::handle obj);
py::object dtype_object(ScalarType t);

// A Python number as a Scalar; nullopt if `obj` is not a number.
std::optional<Scalar> as_scalar(py::handle obj);
// A Tensor operand: a Tensor, or a Python number wrapped as a 0-dim tensor; nullopt otherwise.
std::optional<Tensor> as_operand(py::handle obj);
// The other operand of a Python operator (a * b, a == b, ...): as_operand, plus NumPy arrays
// (copied into a tensor, keeping their dtype), as torch's operators take them; needed since
// Tensor.__array_priority__ makes NumPy defer `array == tensor` to the tensor.
std::optional<Tensor> as_operator_operand(py::handle obj);
// Like as_operand but raises TypeError naming `op` and the argument type.
Tensor operand_or_throw(py::handle obj, const char* op);

// torch.tensor(data): numbers, nested sequences, NumPy arrays, tensors.
Tensor tensor_from_data(py::handle data, std::optional<ScalarType> dtype);
// Shares memory with a NumPy array.
Tensor tensor_from_numpy(py::array array);
py::array tensor_to_numpy(const Tensor& t);
py::object tensor_to_list(const Tensor& t);
py::object scalar_to_python(const Scalar& s);

// A shape from ints or one sequence of ints (zeros(2, 3) or zeros((2, 3))).
Shape parse_shape(const py::args& args, const char* op);
Shape shape_from_sequence(py::handle seq, const char* op);

// Kernels on at least this many elements run with the GIL released, so other Python threads
// progress meanwhile; smaller ops keep it (dropping and retaking it costs about a tiny op).
constexpr int64_t kReleaseGilNumel = 1 << 16;
inline bool is_large(const Tensor& t) { return t.numel() >= kReleaseGilNumel; }

// How many GilRelease sections are running (in any thread). It changes only with the GIL held,
// so it is constant while the garbage collector runs.
inline std::atomic<int>& gil_free_sections() {
  static std::atomic<int> count{0};
  return count;
}

// Releases the GIL for C++ work. Every release of the GIL in the bindings goes through this
// class (never py::gil_scoped_release directly): the traversal of tensors by Python's gc
// (tensor_gc.cpp) trusts the reference counts of C++ objects only while no such section runs,
// because C++ code running without the GIL may copy tensor and node handles meanwhile.
class GilRelease {
 public:
  GilRelease() : GilRelease(Deferred{}) { release(); }
  // A section that releases the GIL only when release() is called (a backward call does so
  // when the engine says the work will take long). It counts as GIL-free from the start.
  struct Deferred {};
  explicit GilRelease(Deferred) { gil_free_sections().fetch_add(1); }
  void release() {
    if (!release_) release_.emplace();
  }
  // What autograd::backward/grad call before long work (their before_long_work).
  std::function<void()> releaser() {
    return [this] { release(); };
  }
  ~GilRelease() {
    release_.reset();  // takes the GIL back
    gil_free_sections().fetch_sub(1);
  }
  GilRelease(const GilRelease&) = delete;
  GilRelease& operator=(const GilRelease&) = delete;

 private:
  std::optional<py::gil_scoped_release> release_;
};

// f() with the GIL released when `release`; f must not touch Python objects.
template <typename F>
decltype(auto) without_gil_if(bool release, F&& f) {
  if (!release) return f();
  GilRelease nogil;
  return f();
}

// A Tensor method bound so that it drops the GIL on large tensors.
inline auto unary_method(Tensor (Tensor::*method)() const) {
  return [method](const Tensor& t) {
    return without_gil_if(is_large(t), [&] { return (t.*method)(); });
  };
}

// The Tensor a Python object holds, or nullptr when it is not a (constructed) Tensor. For the
// hottest methods, which take `self` as a py::handle: pybind11's type caster for a
// `const Tensor&` argument costs several registry lookups per call.
inline PyTypeObject* tensor_type() {
  static PyTypeObject* const type = reinterpret_cast<PyTypeObject*>(py::type::of<Tensor>().ptr());
  return type;
}
inline const Tensor* tensor_of(py::handle h) {
  if (!PyObject_TypeCheck(h.ptr(), tensor_type())) return nullptr;
  auto* inst = reinterpret_cast<py::detail::instance*>(h.ptr());
  // Tensor and its Python subclasses have pybind11's simple layout (one C++ base).
  if (!inst->simple_layout || !inst->simple_holder_constructed) return nullptr;
  return static_cast<const Tensor*>(inst->simple_value_holder[0]);
}

// `self` of a hot method bound with a py::handle self; TypeError like pybind11's otherwise.
inline const Tensor& self_tensor(py::handle h, const char* method) {
  if (const Tensor* t = tensor_of(h)) return *t;
  throw py::type_error(std::string("descriptor '") + method +
                       "' requires a 'fastgrad._C.Tensor' object but received a '" +
                       Py_TYPE(h.ptr())->tp_name + "'");
}

// A new Python Tensor object that owns `t` (a new reference; nullptr with a Python error set if
// allocation fails), made without pybind11's generic path and registry (tensor_object.cpp).
PyObject* new_tensor_object(Tensor&& t);

}  // namespace fastgrad::python

// pybind11's conversions of Tensor arguments and results, for every binding (each binding file
// includes this header before any binding code). A Tensor returned by value (every op) becomes
// a Python object through new_tensor_object. A Tensor argument is read from the object's
// simple layout directly (pybind11's generic load looks the type's records up twice); an
// object whose __init__ never ran is refused (pybind11 would allocate raw memory for it and
// hand that to the function as a Tensor). Everything else stays pybind11's.
namespace pybind11::detail {
template <>
class type_caster<fastgrad::Tensor> : public type_caster_base<fastgrad::Tensor> {
 public:
  using type_caster_base<fastgrad::Tensor>::cast;
  static handle cast(fastgrad::Tensor&& src, return_value_policy, handle) {
    return fastgrad::python::new_tensor_object(std::move(src));
  }
  bool load(handle src, bool convert) {
    if (const fastgrad::Tensor* t = fastgrad::python::tensor_of(src)) {
      value = const_cast<fastgrad::Tensor*>(t);
      return true;
    }
    // A Tensor that tensor_of refuses is one whose __init__ never ran.
    if (PyObject_TypeCheck(src.ptr(), fastgrad::python::tensor_type())) return false;
    return type_caster_base<fastgrad::Tensor>::load(src, convert);
  }
};
}  // namespace pybind11::detail

namespace fastgrad::python {

// Creates the C type `spec` describes and adds it to `m` as `name` (the C bases of the Python
// classes no_grad & co. and nn.Module).
inline void add_type_from_spec(py::module_& m, const char* name, PyType_Spec& spec) {
  py::object type = py::reinterpret_steal<py::object>(PyType_FromSpec(&spec));
  if (!type) throw py::error_already_set();
  m.attr(name) = type;
}

// "[2, 3]", as Python prints list(t.shape).
inline std::string shape_list(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

// Registered in their own files.
void init_tensor(py::module_& m);
void init_autograd(py::module_& m);
void init_functions(py::module_& m);
void init_dlpack(py::module_& m);
void init_tensor_slots(py::module_& m);  // after init_tensor and init_autograd
void init_tensor_object();               // after init_tensor
void init_grad_mode_context(py::module_& m);
void init_module_call(py::module_& m);

// Returns grad_fn objects whose Python type is named after the node (PowBackward0, ...).
py::object wrap_node(const std::shared_ptr<Node>& node);

// A Python hook of Tensor.register_hook, as stored in C++ (AutogradMeta::leaf_hooks or a node's
// pre-hooks). gc finds the callable through std::function::target<PyTensorHook>()
// (tensor_gc.cpp). The callable is only read or changed with the GIL held, and freed with it.
struct PyTensorHook {
  struct Slot {
    py::object fn;  // null once gc has cleared it: the hook then does nothing
  };
  // Shared only because std::function needs a copyable callable; fastgrad never copies hooks.
  std::shared_ptr<Slot> slot;

  explicit PyTensorHook(py::function fn);
  Tensor operator()(const Tensor& grad) const;
};

// A Python hook of Tensor.register_post_accumulate_grad_hook (AutogradMeta::
// post_accumulate_hooks); held and traversed like PyTensorHook.
struct PyPostAccumulateHook {
  std::shared_ptr<PyTensorHook::Slot> slot;

  explicit PyPostAccumulateHook(py::function fn);
  void operator()(const Tensor& leaf) const;
};

// Makes the Python Tensor type's gc support see the Python objects its tensor's hooks hold
// (tensor_gc.cpp); called from the type's custom setup.
void setup_tensor_gc(PyHeapTypeObject* heap_type);
// Visits the Python objects that `node` holds if it is an autograd.Function node (autograd.cpp).
int traverse_python_node(const Node& node, visitproc visit, void* arg);

}  // namespace fastgrad::python
