#include "fastgrad/shape.h"

#include <sstream>

#include "fastgrad/errors.h"

namespace fastgrad {

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t s : shape)
    if (__builtin_mul_overflow(n, s, &n))
      throw Error(detail::cat("Trying to create tensor with shape ", shape_str(shape),
                              ", which has more elements than int64 can count"));
  return n;
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides(shape.size());
  // Unsigned: for a shape with more elements than int64 counts (refused by shape_numel) the
  // product wraps instead of overflowing a signed integer.
  uint64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = static_cast<int64_t>(s);
    s *= shape[i] > 0 ? static_cast<uint64_t>(shape[i]) : 1;
  }
  return strides;
}

std::string shape_str(const Shape& shape) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  os << "]";
  return os.str();
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    // Align from the right, as NumPy does.
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1) {
      std::ostringstream os;
      if (op) os << op << ": ";
      os << "The size of tensor a (" << da << ") must match the size of tensor b (" << db
         << ") at non-singleton dimension " << i;
      throw Error(os.str());
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

bool is_expandable_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  size_t off = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != to[i + off] && from[i] != 1) return false;
  return true;
}

int64_t wrap_dim(int64_t dim, int64_t ndim) {
  int64_t n = ndim > 0 ? ndim : 1;  // a 0-dim tensor accepts dim 0 and -1, like PyTorch
  if (dim < -n || dim >= n)
    throw IndexError(detail::cat("Dimension out of range (expected to be in range of [", -n, ", ",
                                 n - 1, "], but got ", dim, ")"));
  return dim < 0 ? dim + n : dim;
}

}  // namespace fastgrad
