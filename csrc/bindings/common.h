#pragma once
// Shared by the binding files: argument conversion between Python objects and fastgrad types.
// Bindings convert arguments and call one C++ function; they do no math.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

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

// f() with the GIL released when `release`; f must not touch Python objects.
template <typename F>
decltype(auto) without_gil_if(bool release, F&& f) {
  if (!release) return f();
  py::gil_scoped_release nogil;
  return f();
}

// A Tensor method bound so that it drops the GIL on large tensors.
inline auto unary_method(Tensor (Tensor::*method)() const) {
  return [method](const Tensor& t) {
    return without_gil_if(is_large(t), [&] { return (t.*method)(); });
  };
}

// Registered in their own files.
void init_tensor(py::module_& m);
void init_autograd(py::module_& m);
void init_functions(py::module_& m);
void init_dlpack(py::module_& m);

// Returns grad_fn objects whose Python type is named after the node (PowBackward0, ...).
py::object wrap_node(const std::shared_ptr<Node>& node);

}  // namespace fastgrad::python
