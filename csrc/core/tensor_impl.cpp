#include "fastgrad/tensor_impl.h"

// <iostream> only for its side effect: since GCC 13 it is what makes a static libstdc++ link in
// the stream and locale set-up (std::ios_base_library_init). Without it, a build that links
// libstdc++ statically (as one lent machine's toolchain did) crashed formatting the first
// number into an error message (detail::cat's ostringstream).
#include <iostream>  // IWYU pragma: keep
#include <limits>

#include "fastgrad/grad_mode.h"
#include "fastgrad/node.h"

namespace fastgrad {

TensorImpl::TensorImpl(std::shared_ptr<Storage> storage, ScalarType dtype, Shape sizes,
                       Shape strides, int64_t storage_offset)
    : storage_(std::move(storage)),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      storage_offset_(storage_offset),
      dtype_(dtype),
      is_inference_(InferenceMode::is_enabled()) {
  refresh();
}

TensorImpl::TensorImpl(ScalarType dtype, Shape sizes, bool zero)
    : sizes_(std::move(sizes)), dtype_(dtype), is_inference_(InferenceMode::is_enabled()) {
  for (int64_t s : sizes_)
    if (s < 0)
      throw ValueError(detail::cat("Trying to create tensor with negative dimension ", s, ": ",
                                   shape_str(sizes_)));
  strides_ = contiguous_strides(sizes_);
  refresh();
  // Refuse sizes whose byte count overflows before asking the allocator.
  if (numel_ > 0 &&
      static_cast<uint64_t>(numel_) > std::numeric_limits<int64_t>::max() / element_size(dtype_))
    throw Error(
        detail::cat("Trying to create tensor with ", numel_, " elements, which is too many"));
  storage_ = Storage::allocate(static_cast<size_t>(numel_) * element_size(dtype_), zero);
}

void TensorImpl::set_sizes_and_strides(Shape sizes, Shape strides, int64_t storage_offset) {
  sizes_ = std::move(sizes);
  strides_ = std::move(strides);
  storage_offset_ = storage_offset;
  refresh();
}

void TensorImpl::refresh() {
  numel_ = shape_numel(sizes_);
  // Contiguous means row-major with no gaps; size-1 dims may have any stride.
  is_contiguous_ = true;
  int64_t expected = 1;
  for (size_t i = sizes_.size(); i-- > 0;) {
    if (sizes_[i] == 1) continue;
    if (strides_[i] != expected) {
      is_contiguous_ = numel_ == 0;
      if (!is_contiguous_) break;
    }
    expected *= sizes_[i];
  }
}

}  // namespace fastgrad
