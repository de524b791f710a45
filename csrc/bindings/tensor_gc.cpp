// Python gc support for the Tensor type.
//
// A Python hook registered on a tensor is held by C++ (the tensor's AutogradMeta::leaf_hooks or
// its grad_fn's pre-hooks), and an autograd.Function node holds its ctx and backward, so a cycle
// such as tensor -> hook -> closure -> tensor is invisible to gc unless the Tensor type's
// tp_traverse reports those objects (PyTorch does the same in THPVariable_subclass_traverse).
//
// Visiting an object tells gc "this reference is held by me". gc subtracts one per visit from
// the object's reference count, so a visit is only sound when the reference is owned by this
// Python object alone, and when the answer does not change between the passes of a collection.
// The wrapper therefore visits the hooks' callables only when:
//  - no GilRelease section is running: only then are the C++ reference counts below constant
//    while gc runs (gc holds the GIL; C++ running without it could copy handles meanwhile);
//  - its TensorImpl has no other owner (use_count 1: no second Python wrapper, no saved
//    variable, no AccumulateGrad, no view or C++ handle);
//  - for the grad_fn's hooks and an autograd.Function's ctx, the node has no other owner either
//    (no other output tensor, no downstream node's edge, no Python grad_fn object, no backward
//    running on it).
// Otherwise nothing is visited: such a cycle is not collected (a leak), never wrongly freed.
#include "common.h"

namespace fastgrad::python {

namespace {

std::shared_ptr<PyTensorHook::Slot> make_slot(py::function fn) {
  return std::shared_ptr<PyTensorHook::Slot>(new PyTensorHook::Slot{std::move(fn)},
                                             [](PyTensorHook::Slot* s) {
                                               // interpreter gone: leak rather than touch Python
                                               if (!Py_IsInitialized()) return;
                                               py::gil_scoped_acquire gil;
                                               delete s;
                                             });
}

}  // namespace

PyTensorHook::PyTensorHook(py::function fn) : slot(make_slot(std::move(fn))) {}

PyPostAccumulateHook::PyPostAccumulateHook(py::function fn) : slot(make_slot(std::move(fn))) {}

void PyPostAccumulateHook::operator()(const Tensor& leaf) const {
  py::gil_scoped_acquire gil;
  py::object fn = slot->fn;
  if (fn) fn(leaf);
}

Tensor PyTensorHook::operator()(const Tensor& grad) const {
  py::gil_scoped_acquire gil;
  py::object fn = slot->fn;  // a reference of our own for the call
  if (!fn) return Tensor();
  py::object r = fn(grad);
  if (r.is_none()) return Tensor();
  return r.cast<Tensor>();
}

namespace {

// The Tensor inside a Python Tensor object; null while it has none (being built or freed).
const Tensor* wrapped_tensor(PyObject* self) {
  auto* inst = reinterpret_cast<py::detail::instance*>(self);
  py::detail::value_and_holder v_h = inst->get_value_and_holder(nullptr, false);
  if (!v_h || !v_h.holder_constructed()) return nullptr;
  return v_h.value_ptr<Tensor>();
}

// What only the wrapper of a tensor reaches (see the rules at the top of the file).
struct Owned {
  AutogradMeta* meta = nullptr;  // the tensor's autograd metadata (leaf hooks)
  Node* grad_fn = nullptr;       // its grad_fn (pre-hooks, an autograd.Function's ctx)
};

Owned owned_by_wrapper(const Tensor& t) {
  Owned o;
  if (gil_free_sections().load() != 0) return o;
  const auto& impl = t.impl_ptr();
  if (!impl || impl.use_count() != 1) return o;
  o.meta = impl->autograd_meta();
  if (o.meta && o.meta->grad_fn && o.meta->grad_fn.use_count() == 1)
    o.grad_fn = o.meta->grad_fn.get();
  return o;
}

// The Python callable of a hook registered from Python; null for a C++ hook.
PyTensorHook::Slot* python_hook(const TensorHook& hook) {
  const auto* h = hook.target<PyTensorHook>();
  if (!h || !h->slot || h->slot.use_count() != 1) return nullptr;
  return h->slot.get();
}
PyTensorHook::Slot* python_hook(const std::function<void(const Tensor&)>& hook) {
  const auto* h = hook.target<PyPostAccumulateHook>();
  if (!h || !h->slot || h->slot.use_count() != 1) return nullptr;
  return h->slot.get();
}

int tensor_traverse(PyObject* self, visitproc visit, void* arg) {
  if (const Tensor* t = wrapped_tensor(self)) {
    Owned o = owned_by_wrapper(*t);
    if (o.meta) {
      for (const TensorHook& hook : o.meta->leaf_hooks)
        if (auto* s = python_hook(hook)) Py_VISIT(s->fn.ptr());
      for (const auto& hook : o.meta->post_accumulate_hooks)
        if (auto* s = python_hook(hook)) Py_VISIT(s->fn.ptr());
    }
    if (o.grad_fn) {
      for (const auto& [nr, hook] : o.grad_fn->pre_hooks())
        if (auto* s = python_hook(hook)) Py_VISIT(s->fn.ptr());
      if (int r = traverse_python_node(*o.grad_fn, visit, arg)) return r;
    }
  }
  return py::detail::pybind11_traverse(self, visit, arg);  // __dict__ and the type
}

// Called by gc only on garbage. Drops the hooks' callables that only this wrapper reaches,
// which breaks any cycle through them (a hook whose callable is gone does nothing). An
// autograd.Function's ctx is left alone: it is a Python object, and gc clears it.
int tensor_clear(PyObject* self) {
  std::vector<py::object> dropped;  // freed after the walk, since freeing may run Python code
  if (const Tensor* t = wrapped_tensor(self)) {
    Owned o = owned_by_wrapper(*t);
    auto take = [&](const auto& hook) {
      if (auto* s = python_hook(hook); s && s->fn) dropped.push_back(std::move(s->fn));
    };
    if (o.meta) {
      for (const TensorHook& hook : o.meta->leaf_hooks) take(hook);
      for (const auto& hook : o.meta->post_accumulate_hooks) take(hook);
    }
    if (o.grad_fn)
      for (const auto& [nr, hook] : o.grad_fn->pre_hooks()) take(hook);
  }
  dropped.clear();
  return py::detail::pybind11_clear(self);
}

}  // namespace

void setup_tensor_gc(PyHeapTypeObject* heap_type) {
  // py::dynamic_attr() already made Tensor a gc type whose traverse and clear handle __dict__
  // (and pybind11's dealloc untracks gc objects first); these extend them.
  PyTypeObject* type = &heap_type->ht_type;
  type->tp_flags |= Py_TPFLAGS_HAVE_GC;
  type->tp_traverse = tensor_traverse;
  type->tp_clear = tensor_clear;
}

}  // namespace fastgrad::python
