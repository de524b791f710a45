#include "fastgrad/dtype.h"

namespace fastgrad {

const char* dtype_name(ScalarType t) {
  switch (t) {
    case ScalarType::Bool: return "bool";
    case ScalarType::Int64: return "int64";
    case ScalarType::Float32: return "float32";
    case ScalarType::Float64: return "float64";
  }
  return "?";
}

const char* legacy_type_name(ScalarType t) {
  switch (t) {
    case ScalarType::Bool: return "torch.BoolTensor";
    case ScalarType::Int64: return "torch.LongTensor";
    case ScalarType::Float32: return "torch.FloatTensor";
    case ScalarType::Float64: return "torch.DoubleTensor";
  }
  return "?";
}

const char* scalar_type_name(ScalarType t) {
  switch (t) {
    case ScalarType::Bool: return "Bool";
    case ScalarType::Int64: return "Long";
    case ScalarType::Float32: return "Float";
    case ScalarType::Float64: return "Double";
  }
  return "?";
}

ScalarType default_dtype() { return ScalarType::Float32; }

}  // namespace fastgrad
