#pragma once
// Scalar: a Python-style number (bool, int64 or double) used where an op takes a number.
#include <cstdint>

#include "fastgrad/dtype.h"

namespace fastgrad {

class Scalar {
 public:
  Scalar(double v) : d_(v), type_(ScalarType::Float64) {}  // NOLINT: implicit like PyTorch
  Scalar(float v) : d_(v), type_(ScalarType::Float64) {}   // NOLINT
  Scalar(int64_t v) : i_(v), type_(ScalarType::Int64) {}   // NOLINT
  Scalar(int v) : i_(v), type_(ScalarType::Int64) {}       // NOLINT
  Scalar(bool v) : i_(v), type_(ScalarType::Bool) {}       // NOLINT

  ScalarType type() const { return type_; }
  bool is_floating() const { return type_ == ScalarType::Float64; }
  double to_double() const { return is_floating() ? d_ : static_cast<double>(i_); }
  int64_t to_int() const { return is_floating() ? static_cast<int64_t>(d_) : i_; }
  template <typename T>
  T to() const {
    if constexpr (std::is_same_v<T, bool>)
      return is_floating() ? d_ != 0.0 : i_ != 0;
    else if constexpr (std::is_integral_v<T>)
      return static_cast<T>(to_int());
    else
      return static_cast<T>(to_double());
  }

 private:
  union {
    double d_;
    int64_t i_;
  };
  ScalarType type_;
};

}  // namespace fastgrad
