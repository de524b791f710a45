// DLPack exchange (https://dmlc.github.io/dlpack/latest/): Tensor.__dlpack__ hands out a
// capsule viewing this tensor's memory; fastgrad.from_dlpack wraps another library's capsule.
// Both directions share memory and keep the producer's buffer alive through the deleter.
// The structs below are DLPack's C ABI (dlpack.h v1.0), written out here: the header is small
// and vendoring it would be the only third-party file in the tree.
#include <cstring>
#include <vector>

#include "common.h"

namespace fastgrad::python {

namespace {

// ---- the DLPack ABI
enum : int32_t { kDLCPU = 1 };
enum : uint8_t { kDLInt = 0, kDLUInt = 1, kDLFloat = 2, kDLBool = 6 };
struct DLDevice {
  int32_t device_type;  // a C enum: int-sized
  int32_t device_id;
};
struct DLDataType {
  uint8_t code;
  uint8_t bits;
  uint16_t lanes;
};
struct DLTensor {
  void* data;
  DLDevice device;
  int32_t ndim;
  DLDataType dtype;
  int64_t* shape;
  int64_t* strides;  // in elements; NULL means compact row-major
  uint64_t byte_offset;
};
struct DLManagedTensor {
  DLTensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(DLManagedTensor* self);
};
struct DLPackVersion {
  uint32_t major;
  uint32_t minor;
};
struct DLManagedTensorVersioned {
  DLPackVersion version;
  void* manager_ctx;
  void (*deleter)(DLManagedTensorVersioned* self);
  uint64_t flags;
  DLTensor dl_tensor;
};
constexpr uint64_t kFlagReadOnly = 1ULL << 0;
constexpr uint64_t kFlagIsCopied = 1ULL << 1;

constexpr const char* kName = "dltensor";
constexpr const char* kUsedName = "used_dltensor";
constexpr const char* kVersionedName = "dltensor_versioned";
constexpr const char* kUsedVersionedName = "used_dltensor_versioned";

// ---- export

// Owns what the DLTensor points at: the Tensor (hence its storage), shape and strides.
template <typename Managed>
struct ExportContext {
  Tensor tensor;
  std::vector<int64_t> shape, strides;
  Managed managed{};
};

DLDataType to_dl_dtype(ScalarType t) {
  switch (t) {
    case ScalarType::Bool: return {kDLBool, 8, 1};
    case ScalarType::Int64: return {kDLInt, 64, 1};
    case ScalarType::Float32: return {kDLFloat, 32, 1};
    case ScalarType::Float64: return {kDLFloat, 64, 1};
  }
  return {kDLFloat, 32, 1};
}

template <typename Managed>
Managed* make_managed(const Tensor& t) {
  auto* ctx = new ExportContext<Managed>{t, t.sizes(), t.strides()};
  DLTensor& dl = ctx->managed.dl_tensor;
  dl.data = t.data_ptr();  // already includes the storage offset
  dl.device = {kDLCPU, 0};
  dl.ndim = static_cast<int32_t>(t.dim());
  dl.dtype = to_dl_dtype(t.dtype());
  dl.shape = ctx->shape.data();
  dl.strides = ctx->strides.data();
  dl.byte_offset = 0;
  ctx->managed.manager_ctx = ctx;
  ctx->managed.deleter = [](Managed* self) {
    delete static_cast<ExportContext<Managed>*>(self->manager_ctx);
  };
  return &ctx->managed;
}

// Capsule destructor: frees the tensor unless a consumer took it (and renamed the capsule).
template <typename Managed>
void capsule_destructor(PyObject* capsule) {
  const char* name = std::is_same_v<Managed, DLManagedTensor> ? kName : kVersionedName;
  if (!PyCapsule_IsValid(capsule, name)) return;  // consumed: the consumer calls the deleter
  auto* m = static_cast<Managed*>(PyCapsule_GetPointer(capsule, name));
  if (m && m->deleter) m->deleter(m);
}

py::capsule to_dlpack(const Tensor& t, bool versioned, bool copied) {
  if (!versioned) {
    DLManagedTensor* m = make_managed<DLManagedTensor>(t);
    return py::reinterpret_steal<py::capsule>(
        PyCapsule_New(m, kName, capsule_destructor<DLManagedTensor>));
  }
  DLManagedTensorVersioned* m = make_managed<DLManagedTensorVersioned>(t);
  m->version = {1, 0};
  m->flags = copied ? kFlagIsCopied : 0;
  return py::reinterpret_steal<py::capsule>(
      PyCapsule_New(m, kVersionedName, capsule_destructor<DLManagedTensorVersioned>));
}

// ---- import

ScalarType from_dl_dtype(DLDataType dt) {
  if (dt.lanes == 1) {
    if (dt.code == kDLFloat && dt.bits == 32) return ScalarType::Float32;
    if (dt.code == kDLFloat && dt.bits == 64) return ScalarType::Float64;
    if (dt.code == kDLInt && dt.bits == 64) return ScalarType::Int64;
    if (dt.code == kDLBool && dt.bits == 8) return ScalarType::Bool;
  }
  throw py::type_error("from_dlpack: unsupported DLPack dtype (code " + std::to_string(dt.code) +
                       ", bits " + std::to_string(dt.bits) + ", lanes " + std::to_string(dt.lanes) +
                       "); fastgrad supports float32, float64, int64 and bool");
}

// Wraps the producer's memory; `release` runs the producer's deleter when the storage dies.
Tensor wrap_dl_tensor(const DLTensor& dl, std::shared_ptr<void> owner) {
  if (dl.device.device_type != kDLCPU)
    throw py::value_error("from_dlpack: only CPU tensors can be imported (DLPack device type " +
                          std::to_string(dl.device.device_type) + ")");
  const ScalarType dt = from_dl_dtype(dl.dtype);
  Shape sizes(dl.shape, dl.shape + dl.ndim);
  Shape strides(dl.ndim);
  if (dl.strides) {
    strides.assign(dl.strides, dl.strides + dl.ndim);
  } else {
    int64_t s = 1;
    for (int32_t d = dl.ndim - 1; d >= 0; --d) {
      strides[d] = s;
      s *= sizes[d];
    }
  }
  int64_t extent = 1;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] > 1 && strides[d] < 0)
      throw py::value_error(
          "from_dlpack: tensors with negative strides are not supported; copy it first");
    extent += (sizes[d] - 1) * strides[d];
  }
  const size_t es = element_size(dt);
  const size_t nbytes = shape_numel(sizes) == 0 ? 0 : static_cast<size_t>(extent) * es;
  void* data = static_cast<char*>(dl.data) + dl.byte_offset;
  return from_blob(data, sizes, strides, dt, std::move(owner), nbytes);
}

// Runs a producer's deleter; it may touch Python (NumPy's does), so hold the GIL.
template <typename Managed>
std::shared_ptr<void> deleter_owner(Managed* m) {
  return std::shared_ptr<void>(m, [](void* p) {
    auto* managed = static_cast<Managed*>(p);
    if (!managed->deleter || !Py_IsInitialized()) return;
    py::gil_scoped_acquire gil;
    managed->deleter(managed);
  });
}

Tensor from_dlpack_capsule(py::capsule capsule) {
  PyObject* c = capsule.ptr();
  if (PyCapsule_IsValid(c, kVersionedName)) {
    auto* m = static_cast<DLManagedTensorVersioned*>(PyCapsule_GetPointer(c, kVersionedName));
    if (m->version.major > 1)
      throw py::value_error("from_dlpack: DLPack version " + std::to_string(m->version.major) +
                            " is newer than this fastgrad understands (1)");
    if (m->flags & kFlagReadOnly)
      throw py::value_error(
          "from_dlpack: the producer exports read-only memory and fastgrad tensors are "
          "writable; copy it first (e.g. fastgrad.tensor(array))");
    // Take ownership before anything can throw, so the deleter runs exactly once.
    auto owner = deleter_owner(m);
    PyCapsule_SetName(c, kUsedVersionedName);
    return wrap_dl_tensor(m->dl_tensor, std::move(owner));
  }
  if (PyCapsule_IsValid(c, kName)) {
    auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(c, kName));
    auto owner = deleter_owner(m);
    PyCapsule_SetName(c, kUsedName);
    return wrap_dl_tensor(m->dl_tensor, std::move(owner));
  }
  throw py::value_error(
      "from_dlpack: expected a DLPack capsule named 'dltensor' or 'dltensor_versioned' that has "
      "not been consumed yet");
}

}  // namespace

void init_dlpack(py::module_& m) {
  m.def("_to_dlpack", &to_dlpack, py::arg("tensor"), py::arg("versioned") = false,
        py::arg("copied") = false);
  m.def("_from_dlpack", &from_dlpack_capsule, py::arg("capsule"));
}

}  // namespace fastgrad::python
