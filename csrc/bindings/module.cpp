// fastgrad._C: the extension module. Registers exception translation, dtypes, and the
// Tensor/autograd/function bindings from their own files.
#include "common.h"

namespace fastgrad::python {

namespace {
// Leaked on purpose: Python objects must not be released by static destructors after the
// interpreter has shut down.
py::object* dtype_objects = new py::object[kNumScalarTypes];
}  // namespace

py::object dtype_object(ScalarType t) { return dtype_objects[static_cast<int>(t)]; }

}  // namespace fastgrad::python

using namespace fastgrad;
using namespace fastgrad::python;

PYBIND11_MODULE(_C, m) {
  m.doc() = "fastgrad's C++ core: tensors, kernels and the autograd engine";

  // C++ exceptions become the Python exceptions PyTorch raises in the same situation.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const fastgrad::ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const fastgrad::TypeError& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const fastgrad::IndexError& e) {
      PyErr_SetString(PyExc_IndexError, e.what());
    } catch (const fastgrad::Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    } catch (const std::bad_alloc&) {
      PyErr_SetString(PyExc_RuntimeError, "fastgrad: out of memory");
    }
  });

  py::class_<DType>(m, "dtype",
                    "The data type of a tensor's elements: fastgrad.float32 (the default), "
                    "float64, int64 or bool.")
      .def("__repr__", [](const DType& d) { return std::string("torch.") + dtype_name(d.type); })
      .def_property_readonly(
          "is_floating_point", [](const DType& d) { return is_floating(d.type); },
          "True for float32 and float64.")
      .def_property_readonly(
          "itemsize", [](const DType& d) { return element_size(d.type); },
          "The size in bytes of one element of this dtype.")
      .def_property_readonly(
          "is_signed", [](const DType& d) { return d.type != ScalarType::Bool; },
          "True for every dtype except bool.")
      .def_property_readonly("_name", [](const DType& d) { return dtype_name(d.type); })
      .def("__reduce__", [](const DType& d) {
        return py::make_tuple(py::module_::import("fastgrad").attr("_dtype_from_name"),
                              py::make_tuple(dtype_name(d.type)));
      });
  for (ScalarType t :
       {ScalarType::Bool, ScalarType::Int64, ScalarType::Float32, ScalarType::Float64}) {
    py::object obj = py::cast(DType{t});
    dtype_objects[static_cast<int>(t)] = obj;
    m.attr(dtype_name(t)) = obj;
  }

  init_tensor(m);
  init_tensor_object();
  init_autograd(m);
  init_functions(m);
  init_tensor_slots(m);
  init_grad_mode_context(m);
  init_module_call(m);
  init_dlpack(m);

  m.attr("_has_openmp") = openmp_enabled();
  m.def("get_num_threads", &get_num_threads,
        "Returns the number of threads fastgrad's CPU kernels use.");
  m.def("set_num_threads", &set_num_threads, py::arg("num_threads"),
        "Sets the number of threads fastgrad's CPU kernels use (a positive integer).\n\n"
        "Without OpenMP in the build the kernels run on one thread and this has no effect.");
  m.def("_streaming_store_threshold", &streaming_store_threshold,
        "Bytes (operands and result together) from which elementwise results bypass the caches.");
  m.def("_set_streaming_store_threshold", &set_streaming_store_threshold, py::arg("nbytes"),
        "Sets _streaming_store_threshold() and returns the previous value (for tests and timing).");
  m.def("_vector_isa", &vector_isa,
        "Instruction set of the vectorised kernels (float32 exp/sigmoid/log/tanh, elementwise "
        "loops, sums, matmul micro-kernels): 'avx512', 'avx2' or 'scalar'.");
  m.def("_set_vector_isa", &set_vector_isa, py::arg("isa"),
        "Sets _vector_isa() to one this CPU supports; returns the previous value (for tests).");
}
