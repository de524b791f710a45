// _C._ModuleBase: the C base of nn.Module (fastgrad/nn/module.py), whose only job is
// `module(*args, **kwargs)` -> `module.forward(*args, **kwargs)`.
//
// As a Python __call__ that was one more interpreter frame, with its arguments packed into a
// tuple and a dict and unpacked again, on every layer of every forward pass: ~1,900
// instructions of a scalar BCELoss call's ~10,000 (docs/performance.md). PyTorch's __call__
// runs hooks as well; fastgrad's Module has none to run.
#include "common.h"

namespace fastgrad::python {

namespace {

PyObject* module_call(PyObject* self, PyObject* args, PyObject* kwargs) {
  static PyObject* const forward_name = PyUnicode_InternFromString("forward");
  // Looked up on the instance, so that an assigned `module.forward = fn` is what runs.
  PyObject* forward = PyObject_GetAttr(self, forward_name);
  if (!forward) return nullptr;
  PyObject* result = PyObject_Call(forward, args, kwargs);
  Py_DECREF(forward);
  return result;
}

PyType_Slot kSlots[] = {
    {Py_tp_call, reinterpret_cast<void*>(module_call)},
    {Py_tp_new, reinterpret_cast<void*>(PyType_GenericNew)},
    {Py_tp_doc, const_cast<char*>("Base of nn.Module: calling a module runs its forward().")},
    {0, nullptr}};

PyType_Spec kSpec = {"fastgrad._C._ModuleBase", sizeof(PyObject), 0,
                     Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, kSlots};

}  // namespace

void init_module_call(py::module_& m) { add_type_from_spec(m, "_ModuleBase", kSpec); }

}  // namespace fastgrad::python
