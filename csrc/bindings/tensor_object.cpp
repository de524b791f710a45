// How Python Tensor objects are made and freed on the hot path: every op's result is created by
// new_tensor_object and destroyed by tensor_dealloc.
//
// Both do what pybind11 does for a class with one C++ base and a one-pointer holder (its
// "simple layout", which Tensor has: tensor_of reads it the same way), minus its bookkeeping
// for the general case: looking up the type's C++ records by hash (twice to make an object,
// once to free it), searching its registry of live instances for the new value's address and
// registering the object there (a heap-allocated map entry, looked up and freed again at
// deallocation), and saving the Python error state around the destructor when none is set.
// That was ~2,500 instructions of a 0-d op's ~5,000 with autograd (docs/performance.md).
//
// Objects made here are not in pybind11's registry. pybind11 consults it only when it converts
// a pointer or reference to a Tensor that some Python object already holds, to return that
// object; no binding does that (in-place methods return `self` as the Python object). Objects
// pybind11 makes itself (Tensor(...) constructors, Python subclasses) keep its full path.
#include "common.h"

namespace fastgrad::python {

namespace {

using Holder = std::unique_ptr<Tensor>;  // py::class_<Tensor>'s default holder

const py::detail::type_info* tensor_type_info() {
  static const py::detail::type_info* const info = py::detail::get_type_info(typeid(Tensor));
  return info;
}

destructor pybind11_dealloc = nullptr;  // the type's tp_dealloc as pybind11 set it

// pybind11_object_dealloc for the objects new_tensor_object makes (same steps, same order).
void tensor_dealloc(PyObject* self) {
  auto* inst = reinterpret_cast<py::detail::instance*>(self);
  // Anything else (pybind11's own objects, one whose __init__ never ran) goes its way.
  if (!inst->simple_layout || !inst->simple_holder_constructed ||
      inst->simple_instance_registered || inst->has_patients)
    return pybind11_dealloc(self);
  PyTypeObject* type = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  {
    // The destructor may run Python code (a tensor hook's callable is freed with the tensor);
    // keep a pending exception out of its way, as pybind11's error_scope does.
    PyObject *err_type = nullptr, *err_value = nullptr, *err_tb = nullptr;
    const bool pending = PyErr_Occurred() != nullptr;
    if (pending) PyErr_Fetch(&err_type, &err_value, &err_tb);
    py::detail::value_and_holder v_h(inst, tensor_type_info(), 0, 0);
    v_h.holder<Holder>().~Holder();  // deletes the Tensor
    v_h.set_holder_constructed(false);
    v_h.value_ptr() = nullptr;
    if (pending) PyErr_Restore(err_type, err_value, err_tb);
  }
  if (inst->weakrefs) PyObject_ClearWeakRefs(self);
  if (PyObject** dict = _PyObject_GetDictPtr(self)) Py_CLEAR(*dict);
  type->tp_free(self);
  Py_DECREF(type);  // heap-type instances hold a reference to their type
}

}  // namespace

PyObject* new_tensor_object(Tensor&& t) {
  PyTypeObject* type = tensor_type();
  PyObject* obj = type->tp_alloc(type, 0);  // zero-filled, tracked by gc, holds a type ref
  if (!obj) return nullptr;
  auto* inst = reinterpret_cast<py::detail::instance*>(obj);
  inst->simple_layout = true;  // instance::allocate_layout's simple case
  inst->owned = true;
  py::detail::value_and_holder v_h(inst, tensor_type_info(), 0, 0);
  Tensor* value;
  try {
    value = new Tensor(std::move(t));  // Tensor's own operator new (the small-block pool)
  } catch (const std::bad_alloc&) {
    Py_DECREF(obj);  // tensor_dealloc finds no value and no holder
    return PyErr_NoMemory();
  }
  v_h.value_ptr() = value;
  new (std::addressof(v_h.holder<Holder>())) Holder(value);
  v_h.set_holder_constructed();
  return obj;
}

void init_tensor_object() {
  PyTypeObject* type = tensor_type();
  // Python subclasses (nn.Parameter, users') inherit tp_dealloc when they are created, after
  // this module's initialisation.
  pybind11_dealloc = type->tp_dealloc;
  type->tp_dealloc = tensor_dealloc;
}

}  // namespace fastgrad::python
