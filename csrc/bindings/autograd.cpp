// Autograd bindings: grad_fn objects, backward/grad, grad mode, and autograd.Function support.
#include <unordered_map>

#include "common.h"

namespace fastgrad::python {

namespace {

// A Node whose backward is a Python autograd.Function's static backward(ctx, *grads).
class PyNode final : public Node {
 public:
  PyNode(py::object backward, py::object ctx, std::string name)
      : backward_(std::move(backward)), ctx_(std::move(ctx)), name_(std::move(name)) {}
  ~PyNode() override {
    if (!Py_IsInitialized()) {
      // Interpreter gone: leak the references rather than touch Python.
      backward_.release();
      ctx_.release();
      return;
    }
    py::gil_scoped_acquire gil;
    backward_ = py::object();
    ctx_ = py::object();
  }
  std::string name() const override { return name_; }

  TensorList apply(TensorList&& grads) override {
    py::gil_scoped_acquire gil;
    py::tuple args(grads.size() + 1);
    args[0] = ctx_;
    for (size_t i = 0; i < grads.size(); ++i) args[i + 1] = py::cast(grads[i]);
    py::object result = backward_(*args);
    py::tuple out =
        py::isinstance<py::tuple>(result) ? result.cast<py::tuple>() : py::make_tuple(result);
    if (out.size() != next_edges_.size())
      throw Error(detail::cat("function ", name_,
                              " returned an incorrect number of gradients (expected ",
                              next_edges_.size(), ", got ", out.size(), ")"));
    TensorList r(out.size());
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i].is_none()) continue;
      if (!py::isinstance<Tensor>(out[i]))
        throw py::type_error(name_ + ": backward must return Tensors or None");
      if (needs_input_grad(i)) r[i] = out[i].cast<Tensor>();
    }
    return r;
  }

  void save_variables(const TensorList& tensors) {
    for (const Tensor& t : tensors) {
      bool is_output = t.defined() && t.grad_fn().get() == this;
      saved_.emplace_back(t, is_output);
    }
  }
  TensorList saved_tensors() {
    TensorList r;
    for (size_t i = 0; i < saved_.size(); ++i) r.push_back(saved(i));
    return r;
  }
  // For gc (tensor_gc.cpp): the Python objects this node holds a reference to.
  int traverse(visitproc visit, void* arg) const {
    Py_VISIT(backward_.ptr());
    Py_VISIT(ctx_.ptr());
    return 0;
  }

 private:
  py::object backward_;
  py::object ctx_;
  std::string name_;
};

// Lets ctx reach its node without keeping it alive (no Python<->C++ reference cycle).
struct WeakNodeRef {
  std::weak_ptr<Node> node;
  std::shared_ptr<PyNode> lock() const {
    auto n = std::dynamic_pointer_cast<PyNode>(node.lock());
    if (!n) throw Error("the graph of this autograd.Function has been freed");
    return n;
  }
};

py::object& node_base_type = *new py::object();  // leaked: see module.cpp

// Anomaly mode's trace hook: the Python stack of the op call that is creating a node.
std::string python_traceback() {
  if (!Py_IsInitialized()) return {};
  py::gil_scoped_acquire gil;  // ops on large tensors run with the GIL released
  try {
    py::object lines = py::module_::import("traceback").attr("format_stack")();
    return py::str("").attr("join")(lines).cast<std::string>();
  } catch (py::error_already_set&) {
    return {};  // a trace is a debugging aid: never fail the op for it
  }
}

}  // namespace

int traverse_python_node(const Node& node, visitproc visit, void* arg) {
  if (const auto* p = dynamic_cast<const PyNode*>(&node)) return p->traverse(visit, arg);
  return 0;
}

py::object wrap_node(const std::shared_ptr<Node>& node) {
  if (!node) return py::none();
  py::object obj = py::cast(node);
  // Give the object a Python type named after the node, so type(y.grad_fn).__name__ is
  // "PowBackward0" as in PyTorch. The subclasses add no state, so __class__ can be swapped.
  static auto& types = *new std::unordered_map<std::string, py::object>();
  if (py::type::handle_of(obj).is(node_base_type)) {
    std::string name = node->display_name();
    auto it = types.find(name);
    if (it == types.end()) {
      py::dict ns;
      ns["__slots__"] = py::tuple();
      ns["__module__"] = "fastgrad.autograd";
      py::object sub = py::reinterpret_borrow<py::object>((PyObject*)&PyType_Type)(
          name, py::make_tuple(node_base_type), ns);
      it = types.emplace(name, sub).first;
    }
    obj.attr("__class__") = it->second;
  }
  return obj;
}

void init_autograd(py::module_& m) {
  py::class_<Node, std::shared_ptr<Node>> node_cls(
      m, "Node",
      "A node of the autograd graph: the backward function of one recorded op (tensor.grad_fn).\n\n"
      "Its class is named after the op, e.g. MulBackward0; next_functions links it to the nodes of "
      "the op's inputs.",
      py::dynamic_attr());
  node_base_type = node_cls;
  node_cls
      .def("name", &Node::display_name, "Returns the name of this node, such as 'MulBackward0'.")
      .def_property_readonly(
          "next_functions",
          [](const Node& n) {
            py::tuple out(n.next_edges().size());
            for (size_t i = 0; i < n.next_edges().size(); ++i) {
              const Edge& e = n.next_edges()[i];
              out[i] = py::make_tuple(wrap_node(e.function), e.input_nr);
            }
            return out;
          },
          "The (node, input index) pairs this node sends gradients to, one per input of its op.\n\n"
          "The node is None for an input that needs no gradient; a leaf that requires grad is "
          "reached through an AccumulateGrad node.")
      .def_property_readonly(
          "variable",
          [](const Node& n) -> py::object {
            if (auto* acc = dynamic_cast<const autograd::AccumulateGrad*>(&n))
              return py::cast(acc->variable());
            throw py::attribute_error("'" + n.display_name() +
                                      "' object has no attribute 'variable'");
          },
          "The leaf tensor that this AccumulateGrad node accumulates gradients into.")
      .def_property_readonly("_saved_tensors",
                             [](const Node& n) {
                               TensorList ts = n.saved_data();
                               py::tuple out(ts.size());
                               for (size_t i = 0; i < ts.size(); ++i)
                                 out[i] = ts[i].defined() ? py::cast(ts[i]) : py::none();
                               return out;
                             })
      .def_property_readonly("_anomaly_trace", &Node::anomaly_trace)
      .def("__repr__",
           [](py::handle self) {
             return "<" + self.cast<const Node&>().display_name() + " object at " +
                    py::str(py::module_::import("builtins")
                                .attr("hex")(py::int_(reinterpret_cast<uintptr_t>(self.ptr()))))
                        .cast<std::string>() +
                    ">";
           })
      .def("__eq__",
           [](const Node& a, py::handle b) {
             return py::isinstance<Node>(b) && &a == &b.cast<const Node&>();
           })
      .def("__hash__",
           [](const Node& a) { return py::hash(py::int_(reinterpret_cast<uintptr_t>(&a))); });

  m.def("is_grad_enabled", &GradMode::is_enabled,
        "Returns True if gradient recording is currently enabled (per thread).");
  // _set_grad_enabled (returns the previous mode) is a plain C function: tensor_slots.cpp.
  m.def("is_inference_mode_enabled", &InferenceMode::is_enabled,
        "Returns True inside an inference_mode block.");
  AnomalyMode::set_trace_hook(&python_traceback);
  m.def("is_anomaly_enabled", &AnomalyMode::is_enabled,
        "Returns True if autograd's anomaly detection is on.");
  m.def("_set_anomaly_enabled", &AnomalyMode::set_enabled);
  m.def("_set_backward_profiler", &BackwardProfiler::set_enabled);
  m.def("_backward_profile", [] {
    py::list out;  // (name, count, total seconds)
    for (const ProfileRecord& r : BackwardProfiler::records())
      out.append(py::make_tuple(r.name, r.count, static_cast<double>(r.total_ns) * 1e-9));
    return out;
  });
  m.def("_set_inference_mode", &InferenceMode::set_enabled);

  m.def("_backward",
        [](const TensorList& tensors, const std::vector<std::optional<Tensor>>& grads,
           std::optional<bool> retain_graph, bool create_graph, const TensorList& inputs) {
          TensorList g;
          for (auto& x : grads) g.push_back(x.value_or(Tensor()));
          GilRelease gil{GilRelease::Deferred{}};  // dropped only if the backward takes long
          autograd::backward(tensors, g, retain_graph, create_graph, inputs, gil.releaser());
        });
  m.def("_grad", [](const TensorList& outputs, const TensorList& inputs,
                    const std::vector<std::optional<Tensor>>& grads,
                    std::optional<bool> retain_graph, bool create_graph, bool allow_unused) {
    TensorList g;
    for (auto& x : grads) g.push_back(x.value_or(Tensor()));
    TensorList r;
    {
      GilRelease gil{GilRelease::Deferred{}};  // dropped only if the work takes long
      r = autograd::grad(outputs, inputs, g, retain_graph, create_graph, allow_unused,
                         gil.releaser());
    }
    py::list out;
    for (auto& t : r) out.append(t.defined() ? py::cast(std::move(t)) : py::none());
    return out;
  });

  py::class_<WeakNodeRef>(m, "_WeakNodeRef")
      .def("saved_tensors",
           [](const WeakNodeRef& r) {
             TensorList ts = r.lock()->saved_tensors();
             py::tuple out(ts.size());
             for (size_t i = 0; i < ts.size(); ++i)
               out[i] = ts[i].defined() ? py::cast(ts[i]) : py::none();
             return out;
           })
      .def("save",
           [](const WeakNodeRef& r, const std::vector<std::optional<Tensor>>& ts) {
             TensorList v;
             for (auto& t : ts) v.push_back(t.value_or(Tensor()));
             r.lock()->save_variables(v);
           })
      .def_property_readonly("node", [](const WeakNodeRef& r) { return wrap_node(r.node.lock()); });

  // Connects the outputs of a Python autograd.Function's forward to a new PyNode.
  m.def("_function_apply",
        [](py::object backward, py::object ctx, std::string name,
           const std::vector<std::optional<Tensor>>& inputs, const py::list& outputs) {
          auto node = make_node<PyNode>(std::move(backward), ctx, std::move(name));
          TensorList ins;
          for (auto& t : inputs) ins.push_back(t.value_or(Tensor()));
          TensorList outs;
          for (py::handle o : outputs) outs.push_back(o.cast<Tensor>());
          TensorList connected = autograd::connect_function_outputs(node, ins, outs);
          py::list result;
          for (size_t i = 0; i < connected.size(); ++i) {
            // An output connected in place is returned as the very object forward returned,
            // as in PyTorch: a ctx attribute holding it then holds the result (one wrapper,
            // so gc can collect the cycle ctx -> output -> node -> ctx).
            if (connected[i].is_same(outs[i]))
              result.append(outputs[i]);
            else
              result.append(connected[i]);
          }
          return py::make_tuple(result, WeakNodeRef{node});
        });
}

}  // namespace fastgrad::python
