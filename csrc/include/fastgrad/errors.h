#pragma once
// Exceptions thrown by the core. The Python bindings map each to the Python exception PyTorch
// raises in the same situation; C++ users catch them as std::exception.
#include <stdexcept>
#include <string>

#include "fastgrad/export.h"

namespace fastgrad {

// RuntimeError in Python (shape mismatches, autograd misuse).
class FASTGRAD_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class FASTGRAD_API ValueError : public Error {
 public:
  using Error::Error;
};
class FASTGRAD_API TypeError : public Error {
 public:
  using Error::Error;
};
class FASTGRAD_API IndexError : public Error {
 public:
  using Error::Error;
};

namespace detail {
// Builds a message from pieces: check(cond, "matmul: shapes ", a, " and ", b, " ...").
template <typename... Args>
std::string cat(const Args&... args);
}  // namespace detail

}  // namespace fastgrad

#include <sstream>
namespace fastgrad::detail {
template <typename... Args>
std::string cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace fastgrad::detail

#define FG_CHECK(cond, ...)                                                     \
  do {                                                                          \
    if (!(cond)) throw ::fastgrad::Error(::fastgrad::detail::cat(__VA_ARGS__)); \
  } while (0)
#define FG_CHECK_T(ExcType, cond, ...)                                            \
  do {                                                                            \
    if (!(cond)) throw ::fastgrad::ExcType(::fastgrad::detail::cat(__VA_ARGS__)); \
  } while (0)
