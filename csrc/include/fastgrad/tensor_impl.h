#pragma once
// TensorImpl: what a Tensor handle points at. Metadata (dtype, sizes, strides, offset) over a
// shared Storage, plus autograd metadata that only exists for tensors that take part in autograd.
#include <memory>
#include <mutex>
#include <vector>

#include "fastgrad/pool.h"
#include "fastgrad/storage.h"
#include "fastgrad/tensor.h"

namespace fastgrad {

// Autograd state of one tensor. A leaf that requires grad has no grad_fn and accumulates into
// `grad`; a non-leaf has grad_fn (the Node that produced it) and output_nr (which output it was).
struct AutogradMeta {
  std::shared_ptr<Node> grad_fn;
  // Leaves share one AccumulateGrad node among all their uses; weak so the leaf does not keep
  // its graph alive.
  std::weak_ptr<Node> grad_accumulator;
  Tensor grad;
  uint32_t output_nr = 0;
  bool requires_grad = false;  // meaningful for leaves; non-leaves require grad via grad_fn
  bool retains_grad = false;
  // Hooks on a leaf's gradient run by its AccumulateGrad before accumulating.
  std::vector<std::function<Tensor(const Tensor&)>> leaf_hooks;
  // Hooks run by a leaf's AccumulateGrad after it has updated `grad`.
  std::vector<std::function<void(const Tensor&)>> post_accumulate_hooks;
  // For a view of a tensor that requires grad: the tensor whose storage it views (never itself
  // a view). An in-place write through the view rewrites the base's history (CopySlices).
  Tensor view_base;

  static void* operator new(std::size_t bytes) { return detail::pool_allocate(bytes); }
  static void operator delete(void* p, std::size_t bytes) { detail::pool_free(p, bytes); }
};

class FASTGRAD_API TensorImpl {
 public:
  TensorImpl(std::shared_ptr<Storage> storage, ScalarType dtype, Shape sizes, Shape strides,
             int64_t storage_offset);
  // A contiguous tensor over freshly allocated storage.
  TensorImpl(ScalarType dtype, Shape sizes, bool zero = false);

  ScalarType dtype() const { return dtype_; }
  const Shape& sizes() const { return sizes_; }
  const Shape& strides() const { return strides_; }
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  int64_t numel() const { return numel_; }
  int64_t storage_offset() const { return storage_offset_; }
  bool is_contiguous() const { return is_contiguous_; }
  const std::shared_ptr<Storage>& storage() const { return storage_; }
  void* data() const {
    return static_cast<char*>(storage_->data()) +
           storage_offset_ * static_cast<int64_t>(element_size(dtype_));
  }

  // A Python number turned into a 0-dim tensor; it does not take part in type promotion
  // of the other operand's width (x_float32 * 2.5 stays float32).
  bool is_wrapped_number() const { return is_wrapped_number_; }
  // Created under inference mode (see InferenceMode).
  bool is_inference() const { return is_inference_; }
  void set_inference(bool v) { is_inference_ = v; }
  void set_wrapped_number(bool v) { is_wrapped_number_ = v; }

  AutogradMeta* autograd_meta() const { return autograd_meta_.get(); }
  AutogradMeta& ensure_autograd_meta() {
    if (!autograd_meta_) autograd_meta_ = std::make_unique<AutogradMeta>();
    return *autograd_meta_;
  }
  void clear_autograd_meta() { autograd_meta_.reset(); }

  // Replaces the view metadata (detach_ keeps data, shape changes for in-place resize).
  void set_sizes_and_strides(Shape sizes, Shape strides, int64_t storage_offset);
  void set_storage(std::shared_ptr<Storage> storage) { storage_ = std::move(storage); }

 private:
  void refresh();
  std::shared_ptr<Storage> storage_;
  Shape sizes_;
  Shape strides_;
  int64_t storage_offset_ = 0;
  int64_t numel_ = 0;
  ScalarType dtype_;
  bool is_contiguous_ = true;
  bool is_wrapped_number_ = false;
  bool is_inference_ = false;
  std::unique_ptr<AutogradMeta> autograd_meta_;
};

// Tensor's accessors of TensorImpl's fields (declared inline in tensor.h).
inline ScalarType Tensor::dtype() const { return impl_->dtype(); }
inline int64_t Tensor::dim() const { return impl_->dim(); }
inline const Shape& Tensor::sizes() const { return impl_->sizes(); }
inline const Shape& Tensor::strides() const { return impl_->strides(); }
inline int64_t Tensor::numel() const { return impl_->numel(); }
inline int64_t Tensor::storage_offset() const { return impl_->storage_offset(); }
inline bool Tensor::is_contiguous() const { return impl_->is_contiguous(); }
inline void* Tensor::data_ptr() const { return impl_->data(); }
inline bool Tensor::requires_grad() const {
  const AutogradMeta* m = impl_->autograd_meta();
  return m && (m->requires_grad || m->grad_fn);
}

}  // namespace fastgrad
