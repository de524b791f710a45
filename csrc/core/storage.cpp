#include "fastgrad/storage.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "fastgrad/errors.h"

namespace fastgrad {

namespace {
constexpr size_t kAlignment = 64;  // a cache line; also enough for AVX-512 loads
}

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, bool zero) {
  void* p = nullptr;
  if (nbytes > 0) {
    size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
    p = std::aligned_alloc(kAlignment, rounded);
    if (!p)
      throw Error(detail::cat("DefaultCPUAllocator: not enough memory: you tried to allocate ",
                              nbytes, " bytes."));
    if (zero) std::memset(p, 0, nbytes);
  }
  return std::shared_ptr<Storage>(new Storage(p, nbytes, true, nullptr));
}

std::shared_ptr<Storage> Storage::from_external(void* data, size_t nbytes,
                                                std::shared_ptr<void> owner) {
  return std::shared_ptr<Storage>(new Storage(data, nbytes, false, std::move(owner)));
}

std::shared_ptr<Storage> Storage::alias_of(const std::shared_ptr<Storage>& other) {
  return std::shared_ptr<Storage>(new Storage(other->data_, other->nbytes_, false, other));
}

Storage::~Storage() {
  if (owns_) std::free(data_);
}

}  // namespace fastgrad
