// Conversions between Python objects and fastgrad values.
#include <cstring>

#include "common.h"

namespace fastgrad::python {

std::optional<ScalarType> parse_dtype(py::handle obj) {
  if (obj.is_none()) return std::nullopt;
  if (py::isinstance<DType>(obj)) return obj.cast<DType>().type;
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyFloat_Type)) return ScalarType::Float64;
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyBool_Type)) return ScalarType::Bool;
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyLong_Type)) return ScalarType::Int64;
  throw py::type_error(std::string("dtype must be a fastgrad dtype (e.g. fastgrad.float32), not ") +
                       Py_TYPE(obj.ptr())->tp_name);
}

std::optional<Scalar> as_scalar(py::handle obj) {
  PyObject* p = obj.ptr();
  if (PyFloat_Check(p)) return Scalar(PyFloat_AS_DOUBLE(p));
  if (PyBool_Check(p)) return Scalar(p == Py_True);
  if (PyLong_Check(p)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(p, &overflow);
    if (overflow) throw py::value_error("value cannot be converted to type int64 without overflow");
    return Scalar(static_cast<int64_t>(v));
  }
  // NumPy scalars and other number types.
  if (py::isinstance<py::array>(obj) || py::isinstance<Tensor>(obj)) return std::nullopt;
  if (PyObject_HasAttrString(p, "dtype") && PyObject_HasAttrString(p, "item")) {
    py::object v = obj.attr("item")();
    if (PyFloat_Check(v.ptr()) || PyLong_Check(v.ptr())) return as_scalar(v);
  }
  return std::nullopt;
}

std::optional<Tensor> as_operand(py::handle obj) {
  // The hot cases first, each with one check: Python floats and ints need no type-registry
  // search, and a Tensor is read straight from its instance (tensor_of): pybind11's caster,
  // when its load fails, looks for a foreign pybind11 module by raising and clearing an
  // AttributeError, which cost more than the whole op (`x * 2`: 14.8k instructions, not 7k).
  PyObject* p = obj.ptr();
  if (PyFloat_CheckExact(p)) return wrapped_scalar(Scalar(PyFloat_AS_DOUBLE(p)));
  if (PyLong_Check(p)) return wrapped_scalar(*as_scalar(obj));
  if (PyObject_TypeCheck(p, tensor_type())) {
    if (const Tensor* t = tensor_of(obj)) return *t;
    return std::nullopt;  // a Tensor subclass whose __init__ did not run
  }
  if (auto s = as_scalar(obj)) return wrapped_scalar(*s);
  return std::nullopt;
}

std::optional<Tensor> as_operator_operand(py::handle obj) {
  if (auto t = as_operand(obj)) return t;
  if (py::isinstance<py::array>(obj)) return tensor_from_data(obj, std::nullopt);
  return std::nullopt;
}

Tensor operand_or_throw(py::handle obj, const char* op) {
  if (auto t = as_operand(obj)) return *t;
  throw py::type_error(std::string(op) + "(): argument must be Tensor or Number, not " +
                       Py_TYPE(obj.ptr())->tp_name);
}

py::object scalar_to_python(const Scalar& s) {
  switch (s.type()) {
    case ScalarType::Bool: return py::bool_(s.to<bool>());
    case ScalarType::Int64: return py::int_(s.to_int());
    default: return py::float_(s.to_double());
  }
}

// ---- nested sequences

namespace {

struct Inferred {
  Shape shape;
  ScalarType dtype = ScalarType::Bool;
  bool any = false;  // saw at least one element
};

bool is_sequence(py::handle obj) { return PyList_Check(obj.ptr()) || PyTuple_Check(obj.ptr()); }

void infer(py::handle obj, size_t depth, Inferred& inf) {
  if (is_sequence(obj) || (py::isinstance<py::array>(obj) &&
                           py::array(py::reinterpret_borrow<py::array>(obj)).ndim() > 0)) {
    py::sequence seq = py::reinterpret_borrow<py::sequence>(obj);
    const int64_t n = static_cast<int64_t>(py::len(seq));
    if (depth == inf.shape.size()) {
      if (inf.any)
        throw py::type_error("expected a number at dim " + std::to_string(depth) +
                             " but got a sequence of length " + std::to_string(n));
      inf.shape.push_back(n);
    } else if (depth > inf.shape.size() || inf.shape[depth] != n) {
      throw py::value_error("expected sequence of length " +
                            std::to_string(depth < inf.shape.size() ? inf.shape[depth] : 0) +
                            " at dim " + std::to_string(depth) + " (got " + std::to_string(n) +
                            ")");
    }
    for (py::handle item : seq) infer(item, depth + 1, inf);
    return;
  }
  if (depth != inf.shape.size())
    throw py::value_error("expected sequence of length " + std::to_string(inf.shape[depth]) +
                          " at dim " + std::to_string(depth) + " (got 0)");
  ScalarType t;
  if (py::isinstance<Tensor>(obj)) {
    Tensor x = obj.cast<Tensor>();
    if (x.numel() != 1 || x.dim() != 0)
      throw py::value_error("only one element tensors can be converted to Python scalars");
    t = x.dtype();
    if (is_floating(t)) t = default_dtype();
  } else if (auto s = as_scalar(obj)) {
    t = s->is_floating() ? default_dtype() : s->type();
  } else {
    throw py::type_error(std::string("Could not infer dtype of ") + Py_TYPE(obj.ptr())->tp_name);
  }
  inf.dtype = inf.any ? promote_types(inf.dtype, t) : t;
  inf.any = true;
}

template <typename T>
void fill_from(py::handle obj, T*& out) {
  if (is_sequence(obj) || py::isinstance<py::array>(obj)) {
    if (py::isinstance<py::array>(obj) && py::reinterpret_borrow<py::array>(obj).ndim() == 0) {
      fill_from<T>(obj.attr("item")(), out);
      return;
    }
    for (py::handle item : py::reinterpret_borrow<py::sequence>(obj)) fill_from<T>(item, out);
    return;
  }
  Scalar s = py::isinstance<Tensor>(obj) ? obj.cast<Tensor>().item() : *as_scalar(obj);
  *out++ = s.to<T>();
}

ScalarType from_numpy_dtype(const py::dtype& dt, bool strict) {
  const char kind = dt.kind();
  const auto size = dt.itemsize();
  if (kind == 'f' && size == 4) return ScalarType::Float32;
  if (kind == 'f' && size == 8) return ScalarType::Float64;
  if (kind == 'i' && size == 8) return ScalarType::Int64;
  if (kind == 'b') return ScalarType::Bool;
  if (!strict) {
    if (kind == 'f') return ScalarType::Float32;
    if (kind == 'i' || kind == 'u') return ScalarType::Int64;
  }
  throw py::type_error("can't convert np.ndarray of type numpy." + std::string(py::str(dt)) +
                       ". The only supported types are: float64, float32, int64, and bool.");
}

py::dtype to_numpy_dtype(ScalarType t) {
  switch (t) {
    case ScalarType::Bool: return py::dtype::of<bool>();
    case ScalarType::Int64: return py::dtype::of<int64_t>();
    case ScalarType::Float32: return py::dtype::of<float>();
    case ScalarType::Float64: return py::dtype::of<double>();
  }
  return py::dtype::of<float>();
}

}  // namespace

Tensor tensor_from_data(py::handle data, std::optional<ScalarType> dtype) {
  PyObject* p = data.ptr();
  // Fast paths for a single Python number: the common case in scalar autograd code.
  if (PyFloat_Check(p))
    return scalar_tensor(Scalar(PyFloat_AS_DOUBLE(p)), dtype.value_or(default_dtype()));
  if (PyBool_Check(p)) return scalar_tensor(Scalar(p == Py_True), dtype.value_or(ScalarType::Bool));
  if (PyLong_Check(p)) return scalar_tensor(*as_scalar(data), dtype.value_or(ScalarType::Int64));
  if (py::isinstance<Tensor>(data)) {
    Tensor src = data.cast<Tensor>();
    NoGradGuard no_grad;
    return clone(to_dtype(src.detach(), dtype.value_or(src.dtype())));
  }
  if (py::isinstance<py::array>(data)) {
    py::array arr = py::reinterpret_borrow<py::array>(data);
    ScalarType src = from_numpy_dtype(arr.dtype(), false);
    py::array converted = py::array::ensure(arr.attr("astype")(to_numpy_dtype(src)),
                                            py::array::c_style | py::array::forcecast);
    Shape shape(converted.shape(), converted.shape() + converted.ndim());
    Tensor t = empty(shape, src);
    std::memcpy(t.data_ptr(), converted.data(), static_cast<size_t>(t.numel()) * element_size(src));
    return dtype && *dtype != src ? to_dtype(t, *dtype) : t;
  }
  Inferred inf;
  infer(data, 0, inf);
  ScalarType dt = dtype.value_or(inf.any ? inf.dtype : default_dtype());
  Tensor t = empty(inf.shape, dt);
  FG_DISPATCH_ALL(dt, "tensor", [&] {
    scalar_t* out = t.data<scalar_t>();
    fill_from<scalar_t>(data, out);
  });
  return t;
}

Tensor tensor_from_numpy(py::array array) {
  ScalarType dt = from_numpy_dtype(array.dtype(), true);
  const int64_t es = static_cast<int64_t>(element_size(dt));
  Shape sizes(array.shape(), array.shape() + array.ndim());
  Shape strides(array.ndim());
  for (py::ssize_t d = 0; d < array.ndim(); ++d) {
    int64_t s = array.strides()[d];
    if (s < 0)
      throw py::value_error(
          "At least one stride in the given numpy array is negative, and tensors with negative "
          "strides are not currently supported. (You can probably work around this by making a "
          "copy of your array  with array.copy().) ");
    if (s % es != 0)
      throw py::value_error(
          "given numpy array strides not a multiple of the element byte size. "
          "Copy the numpy array to reallocate the memory.");
    strides[d] = s / es;
  }
  if (!array.writeable())
    throw py::value_error("fastgrad.from_numpy needs a writeable array; copy it first");
  void* data = array.mutable_data();
  // The array object owns the memory; release our reference with the GIL held.
  auto* obj = array.release().ptr();
  std::shared_ptr<void> owner(obj, [](void* o) {
    if (!Py_IsInitialized()) return;
    py::gil_scoped_acquire gil;
    Py_DECREF(static_cast<PyObject*>(o));
  });
  int64_t extent = 1;
  for (size_t d = 0; d < sizes.size(); ++d) extent += (sizes[d] - 1) * strides[d];
  size_t nbytes = shape_numel(sizes) == 0 ? 0 : static_cast<size_t>(extent * es);
  return from_blob(data, sizes, strides, dt, owner, nbytes);
}

py::array tensor_to_numpy(const Tensor& t) {
  if (t.requires_grad())
    throw Error(
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.");
  const int64_t es = static_cast<int64_t>(element_size(t.dtype()));
  std::vector<py::ssize_t> shape(t.sizes().begin(), t.sizes().end());
  std::vector<py::ssize_t> strides;
  for (int64_t s : t.strides()) strides.push_back(s * es);
  // The capsule keeps the storage alive as long as the array lives.
  auto* keep = new Tensor(t);
  py::capsule base(keep, [](void* p) { delete static_cast<Tensor*>(p); });
  return py::array(to_numpy_dtype(t.dtype()), shape, strides, t.data_ptr(), base);
}

py::object tensor_to_list(const Tensor& t) {
  if (t.dim() == 0) return scalar_to_python(t.item());
  py::list out;
  for (int64_t i = 0; i < t.sizes()[0]; ++i) {
    // Element i along dim 0 as a view.
    Shape sizes(t.sizes().begin() + 1, t.sizes().end());
    Shape strides(t.strides().begin() + 1, t.strides().end());
    Tensor row(fastgrad::detail::make_pooled<TensorImpl>(
        t.impl()->storage(), t.dtype(), sizes, strides, t.storage_offset() + i * t.strides()[0]));
    out.append(tensor_to_list(row));
  }
  return std::move(out);
}

Shape shape_from_sequence(py::handle seq, const char* op) {
  Shape s;
  for (py::handle item : py::reinterpret_borrow<py::sequence>(seq)) {
    if (!PyLong_Check(item.ptr()) || PyBool_Check(item.ptr())) {
      if (PyIndex_Check(item.ptr()) && !PyBool_Check(item.ptr())) {
        s.push_back(py::int_(py::reinterpret_borrow<py::object>(item)).cast<int64_t>());
        continue;
      }
      throw py::type_error(std::string(op) +
                           "(): argument 'size' must be tuple of ints, but found element of type " +
                           Py_TYPE(item.ptr())->tp_name);
    }
    s.push_back(item.cast<int64_t>());
  }
  return s;
}

Shape parse_shape(const py::args& args, const char* op) {
  if (args.size() == 1 && (is_sequence(args[0]) || py::isinstance<py::tuple>(args[0])))
    return shape_from_sequence(args[0], op);
  return shape_from_sequence(args, op);
}

}  // namespace fastgrad::python
