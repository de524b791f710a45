#pragma once
// A minimal test framework (vendored, no dependencies): TEST_CASE registers a function, CHECK*
// record failures without stopping the test, main() runs the cases whose name starts with argv[1].
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <sstream>
#include <string>
#include <typeinfo>
#include <vector>

namespace check {

struct Case {
  const char* name;
  void (*fn)();
};
inline std::vector<Case>& registry() {
  static std::vector<Case> cases;
  return cases;
}
inline int& failures() {
  static int n = 0;
  return n;
}
struct Registrar {
  Registrar(const char* name, void (*fn)()) { registry().push_back({name, fn}); }
};
inline void fail(const char* file, int line, const std::string& what) {
  ++failures();
  std::fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what.c_str());
}
inline bool close(double a, double b, double rtol, double atol) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::fabs(a - b) <= atol + rtol * std::fabs(b);
}

inline int run(int argc, char** argv) {
  const char* filter = argc > 1 ? argv[1] : "";
  int ran = 0, failed_cases = 0;
  for (const Case& c : registry()) {
    if (std::strncmp(c.name, filter, std::strlen(filter)) != 0) continue;
    int before = failures();
    try {
      c.fn();
    } catch (const std::exception& e) {
      fail(c.name, 0, std::string("unexpected exception: ") + e.what());
    }
    ++ran;
    if (failures() != before) {
      ++failed_cases;
      std::fprintf(stderr, "  in test case %s\n", c.name);
    }
  }
  std::printf("%d test cases, %d failed\n", ran, failed_cases);
  return ran == 0 || failed_cases != 0 ? 1 : 0;
}

}  // namespace check

#define CHECK_CAT2(a, b) a##b
#define CHECK_CAT(a, b) CHECK_CAT2(a, b)
#define TEST_CASE(name)                                                                        \
  static void CHECK_CAT(test_, __LINE__)();                                                    \
  static ::check::Registrar CHECK_CAT(registrar_, __LINE__)(name, CHECK_CAT(test_, __LINE__)); \
  static void CHECK_CAT(test_, __LINE__)()

#define CHECK(cond) ((cond) ? (void)0 : ::check::fail(__FILE__, __LINE__, #cond))
#define CHECK_EQ(a, b)                                                         \
  do {                                                                         \
    auto&& check_a_ = (a);                                                     \
    auto&& check_b_ = (b);                                                     \
    if (!(check_a_ == check_b_)) {                                             \
      std::ostringstream check_os_;                                            \
      check_os_ << #a " == " #b " (" << check_a_ << " vs " << check_b_ << ")"; \
      ::check::fail(__FILE__, __LINE__, check_os_.str());                      \
    }                                                                          \
  } while (0)
#define CHECK_CLOSE(a, b, tol)                                                 \
  do {                                                                         \
    double check_a_ = (a), check_b_ = (b);                                     \
    if (!::check::close(check_a_, check_b_, (tol), (tol))) {                   \
      std::ostringstream check_os_;                                            \
      check_os_.precision(10);                                                 \
      check_os_ << #a " ~= " #b " (" << check_a_ << " vs " << check_b_ << ")"; \
      ::check::fail(__FILE__, __LINE__, check_os_.str());                      \
    }                                                                          \
  } while (0)
// Checks that `expr` throws exactly ExcType (not a subclass) with `message` in what().
#define CHECK_THROWS_AS(expr, ExcType, message)                                                \
  do {                                                                                         \
    bool check_threw_ = false;                                                                 \
    try {                                                                                      \
      (void)(expr);                                                                            \
    } catch (const ExcType& check_e_) {                                                        \
      check_threw_ = true;                                                                     \
      if (typeid(check_e_) != typeid(ExcType))                                                 \
        ::check::fail(__FILE__, __LINE__, #expr " threw a subclass of " #ExcType);             \
      if (!std::strstr(check_e_.what(), message))                                              \
        ::check::fail(                                                                         \
            __FILE__, __LINE__,                                                                \
            std::string(#expr " message: '") + check_e_.what() + "' lacks '" + message + "'"); \
    } catch (const std::exception& check_e_) {                                                 \
      check_threw_ = true;                                                                     \
      ::check::fail(__FILE__, __LINE__,                                                        \
                    std::string(#expr " threw another exception: ") + check_e_.what());        \
    }                                                                                          \
    if (!check_threw_) ::check::fail(__FILE__, __LINE__, #expr " did not throw " #ExcType);    \
  } while (0)
