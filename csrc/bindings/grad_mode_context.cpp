// _C._GradModeBase: the C base of the grad-mode context managers (fastgrad/_grad_mode.py).
//
// `with no_grad():` is on every training step's path. As Python methods, the construction,
// __enter__ and __exit__ were three interpreter frames, about 5,400 instructions for an empty
// block (docs/performance.md); here they are C calls. The Python subclasses keep the decorator
// use (`__call__`), `clone()` and the classes with other behaviour (set_grad_enabled,
// inference_mode), which override __enter__/__exit__ or set the fields through `_enabled` and
// `_prev`.
#include "common.h"
// After Python.h (through common.h), which structmember.h needs.
#include <structmember.h>

#include "fastgrad/grad_mode.h"

namespace fastgrad::python {

namespace {

struct GradModeObject {
  PyObject ob_base;  // PyObject_HEAD
  char enabled;      // the mode __enter__ sets
  char prev;         // the mode __exit__ restores
};

// The class's `_enabled` when it is a bool (no_grad: False, enable_grad: True), else True
// (set_grad_enabled and inference_mode assign `_enabled` in __init__).
bool class_mode(PyTypeObject* cls) {
  static PyObject* name = PyUnicode_InternFromString("_enabled");
  PyObject* v = PyObject_GetAttr(reinterpret_cast<PyObject*>(cls), name);
  if (!v) {
    PyErr_Clear();
    return true;
  }
  const bool mode = v != Py_False;
  Py_DECREF(v);
  return mode;
}

// cls() makes a context. For classes with `_decorates_bare = True` (no_grad, enable_grad),
// cls(func) (or cls(orig_func=func), PyTorch's name) is `@cls` without parentheses:
// cls()(func); a non-callable argument is ignored, more arguments are a TypeError. Other
// classes' arguments are left to their __init__ (set_grad_enabled(mode), inference_mode(mode)).
PyObject* grad_mode_new(PyTypeObject* cls, PyObject* args, PyObject* kwds) {
  PyObject* func = nullptr;
  const Py_ssize_t nkw = kwds ? PyDict_GET_SIZE(kwds) : 0;
  if (PyTuple_GET_SIZE(args) + nkw > 0) {
    static PyObject* flag = PyUnicode_InternFromString("_decorates_bare");
    PyObject* bare = PyObject_GetAttr(reinterpret_cast<PyObject*>(cls), flag);
    if (!bare) PyErr_Clear();
    const bool decorates = bare == Py_True;
    Py_XDECREF(bare);
    if (decorates) {
      if (nkw == 1 && PyTuple_GET_SIZE(args) == 0) {
        func = PyDict_GetItemString(kwds, "orig_func");
        if (!func) func = PyDict_GetItemString(kwds, "func");
      } else if (nkw == 0 && PyTuple_GET_SIZE(args) == 1) {
        func = PyTuple_GET_ITEM(args, 0);
      }
      if (!func) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most 1 argument (orig_func), got %zd",
                     cls->tp_name, PyTuple_GET_SIZE(args) + nkw);
        return nullptr;
      }
      if (!PyCallable_Check(func)) func = nullptr;
    }
  }
  PyObject* self = cls->tp_alloc(cls, 0);
  if (!self) return nullptr;
  auto* g = reinterpret_cast<GradModeObject*>(self);
  g->enabled = class_mode(cls);
  g->prev = GradMode::is_enabled();
  if (!func) return self;
  PyObject* wrapped = PyObject_CallOneArg(self, func);
  Py_DECREF(self);
  return wrapped;
}

PyObject* grad_mode_enter(PyObject* self, PyObject*) {
  auto* g = reinterpret_cast<GradModeObject*>(self);
  g->prev = GradMode::is_enabled();
  GradMode::set_enabled(g->enabled);
  Py_RETURN_NONE;
}

PyObject* grad_mode_exit(PyObject* self, PyObject* const*, Py_ssize_t) {
  GradMode::set_enabled(reinterpret_cast<GradModeObject*>(self)->prev);
  Py_RETURN_NONE;
}

PyMethodDef kMethods[] = {
    {"__enter__", grad_mode_enter, METH_NOARGS, "Sets the grad mode; remembers the previous one."},
    {"__exit__", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(grad_mode_exit)),
     METH_FASTCALL, "Restores the grad mode that __enter__ found."},
    {nullptr, nullptr, 0, nullptr}};

PyMemberDef kMembers[] = {
    {"_enabled", T_BOOL, offsetof(GradModeObject, enabled), 0, "The mode __enter__ sets."},
    {"_prev", T_BOOL, offsetof(GradModeObject, prev), 0, "The mode __exit__ restores."},
    {nullptr, 0, 0, 0, nullptr}};

PyType_Slot kSlots[] = {{Py_tp_new, reinterpret_cast<void*>(grad_mode_new)},
                        {Py_tp_methods, kMethods},
                        {Py_tp_members, kMembers},
                        {Py_tp_doc, const_cast<char*>("Base of the grad-mode context managers.")},
                        {0, nullptr}};

PyType_Spec kSpec = {"fastgrad._C._GradModeBase", sizeof(GradModeObject), 0,
                     Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, kSlots};

}  // namespace

void init_grad_mode_context(py::module_& m) { add_type_from_spec(m, "_GradModeBase", kSpec); }

}  // namespace fastgrad::python
