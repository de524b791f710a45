#pragma once
// Element types and PyTorch's type-promotion lattice (bool < int64 < float32 < float64).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fastgrad/export.h"

namespace fastgrad {

enum class ScalarType : int8_t { Bool = 0, Int64 = 1, Float32 = 2, Float64 = 3 };
constexpr int kNumScalarTypes = 4;

constexpr size_t element_size(ScalarType t) {
  switch (t) {
    case ScalarType::Bool: return 1;
    case ScalarType::Int64: return 8;
    case ScalarType::Float32: return 4;
    case ScalarType::Float64: return 8;
  }
  return 0;
}
constexpr bool is_floating(ScalarType t) {
  return t == ScalarType::Float32 || t == ScalarType::Float64;
}
constexpr bool is_integral(ScalarType t, bool include_bool) {
  return t == ScalarType::Int64 || (include_bool && t == ScalarType::Bool);
}
// The lattice is a total order here, so promotion is the max.
constexpr ScalarType promote_types(ScalarType a, ScalarType b) {
  return static_cast<int8_t>(a) >= static_cast<int8_t>(b) ? a : b;
}
// "float32", "int64", ...
FASTGRAD_API const char* dtype_name(ScalarType t);
// Legacy type names used in autograd error messages: "torch.FloatTensor".
FASTGRAD_API const char* legacy_type_name(ScalarType t);
// PyTorch's short names used in kernel errors: "Float", "Long", "Bool", "Double".
FASTGRAD_API const char* scalar_type_name(ScalarType t);

FASTGRAD_API ScalarType default_dtype();

template <typename T>
struct CppTypeToScalar;
template <>
struct CppTypeToScalar<bool> {
  static constexpr ScalarType value = ScalarType::Bool;
};
template <>
struct CppTypeToScalar<int64_t> {
  static constexpr ScalarType value = ScalarType::Int64;
};
template <>
struct CppTypeToScalar<float> {
  static constexpr ScalarType value = ScalarType::Float32;
};
template <>
struct CppTypeToScalar<double> {
  static constexpr ScalarType value = ScalarType::Float64;
};

}  // namespace fastgrad

// Runs BODY with `scalar_t` bound to the C++ type of DTYPE.
#define FG_DISPATCH_CASE(ENUM, TYPE, ...) \
  case ::fastgrad::ScalarType::ENUM: {    \
    using scalar_t = TYPE;                \
    __VA_ARGS__();                        \
    break;                                \
  }
#define FG_DISPATCH_ALL(DTYPE, NAME, ...)            \
  [&] {                                              \
    switch (DTYPE) {                                 \
      FG_DISPATCH_CASE(Bool, bool, __VA_ARGS__)      \
      FG_DISPATCH_CASE(Int64, int64_t, __VA_ARGS__)  \
      FG_DISPATCH_CASE(Float32, float, __VA_ARGS__)  \
      FG_DISPATCH_CASE(Float64, double, __VA_ARGS__) \
    }                                                \
  }()
#define FG_DISPATCH_FLOATING(DTYPE, NAME, ...)                                 \
  [&] {                                                                        \
    switch (DTYPE) {                                                           \
      FG_DISPATCH_CASE(Float32, float, __VA_ARGS__)                            \
      FG_DISPATCH_CASE(Float64, double, __VA_ARGS__)                           \
      default:                                                                 \
        throw ::fastgrad::Error(std::string(NAME) + " not implemented for '" + \
                                ::fastgrad::scalar_type_name(DTYPE) + "'");    \
    }                                                                          \
  }()
#define FG_DISPATCH_NUMERIC(DTYPE, NAME, ...)                                  \
  [&] {                                                                        \
    switch (DTYPE) {                                                           \
      FG_DISPATCH_CASE(Int64, int64_t, __VA_ARGS__)                            \
      FG_DISPATCH_CASE(Float32, float, __VA_ARGS__)                            \
      FG_DISPATCH_CASE(Float64, double, __VA_ARGS__)                           \
      default:                                                                 \
        throw ::fastgrad::Error(std::string(NAME) + " not implemented for '" + \
                                ::fastgrad::scalar_type_name(DTYPE) + "'");    \
    }                                                                          \
  }()
