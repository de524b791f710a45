// Indexing: advanced indexing (index / index_put), index_select, gather, nonzero, where and
// masked_fill, with their backward nodes.
#include <algorithm>

#include "kernels/elementwise.h"
#include "kernels/index.h"
#include "ops/common.h"

namespace fastgrad {

namespace {

// Broadcast shape, or an empty shape when the two do not broadcast.
Shape broadcast_shapes_or_empty(const Shape& a, const Shape& b) {
  try {
    return broadcast_shapes(a, b);
  } catch (const Error&) {
    return {-1};
  }
}

// Advanced indices of one indexing expression: which dims they index, and the int64 index
// tensors broadcast to one shape.
struct AdvancedIndex {
  std::vector<int64_t> dims;  // indexed dims of the source, ascending
  TensorList idx;             // broadcast, contiguous int64
  Shape shape;                // broadcast index shape
  bool adjacent = true;       // result dims replace the indexed dims in place (else go first)

  AdvancedIndex(const Tensor& src, const TensorList& indices) {
    if (static_cast<int64_t>(indices.size()) > src.dim())
      throw IndexError(detail::cat("too many indices for tensor of dimension ", src.dim(), " (got ",
                                   indices.size(), ")"));
    TensorList raw;
    for (size_t d = 0, k = 0; k < indices.size(); ++k) {
      const Tensor& ix = indices[k];
      if (!ix.defined()) {
        ++d;
        continue;
      }
      if (ix.dtype() == ScalarType::Bool) {
        // A mask over dims d..d+m-1 means the coordinates of its true elements.
        for (int64_t m = 0; m < ix.dim(); ++m)
          if (ix.sizes()[m] != src.sizes()[d + m])
            throw IndexError(detail::cat("The shape of the mask ", shape_str(ix.sizes()),
                                         " at index ", m,
                                         " does not match the shape of the indexed tensor ",
                                         shape_str(src.sizes()), " at index ", d + m));
        Tensor nz = nonzero(ix);
        for (int64_t m = 0; m < ix.dim(); ++m) {
          dims.push_back(static_cast<int64_t>(d + m));
          raw.push_back(contiguous(select(nz, 1, m)));
        }
        d += ix.dim();
        continue;
      }
      if (ix.dtype() != ScalarType::Int64)
        throw IndexError("tensors used as indices must be long, int, byte or bool tensors");
      dims.push_back(static_cast<int64_t>(d));
      raw.push_back(ix);
      ++d;
    }
    for (size_t i = 1; i < dims.size(); ++i) adjacent &= dims[i] == dims[i - 1] + 1;
    for (const Tensor& r : raw) {
      if (!is_expandable_to(r.sizes(), broadcast_shapes_or_empty(shape, r.sizes()))) {
        std::string shapes;
        for (size_t i = 0; i < raw.size(); ++i)
          shapes += (i ? ", " : "") + shape_str(raw[i].sizes());
        throw IndexError(
            "shape mismatch: indexing tensors could not be broadcast together with shapes " +
            shapes);
      }
      shape = broadcast_shapes(shape, r.sizes(), "index");
    }
    for (const Tensor& r : raw) idx.push_back(contiguous(expand(r, shape)));
  }

  // Element offsets (into the storage) of every row of the result, for `target` laid out like
  // the source; rows are blocks over the remaining dims.
  struct Plan {
    std::vector<int64_t> offsets;
    Shape rest, rest_strides;
  };
  Plan plan(const Tensor& target) const {
    Plan p;
    std::vector<bool> is_adv(target.dim(), false);
    for (int64_t d : dims) is_adv[d] = true;
    for (int64_t d = 0; d < target.dim(); ++d)
      if (!is_adv[d]) {
        p.rest.push_back(target.sizes()[d]);
        p.rest_strides.push_back(target.strides()[d]);
      }
    const int64_t n = shape_numel(shape);
    p.offsets.assign(n, target.storage_offset());
    for (size_t k = 0; k < dims.size(); ++k) {
      const int64_t size = target.sizes()[dims[k]], stride = target.strides()[dims[k]];
      const int64_t* ix = idx[k].data<int64_t>();
      for (int64_t b = 0; b < n; ++b) {
        int64_t v = ix[b];
        if (v < -size || v >= size)
          throw IndexError(detail::cat("index ", v, " is out of bounds for dimension ", dims[k],
                                       " with size ", size));
        p.offsets[b] += (v < 0 ? v + size : v) * stride;
      }
    }
    return p;
  }

  // Shape of the result, and the permutation taking the "index dims first" layout to it.
  Shape result_shape(const Plan& p) const {
    Shape out;
    const int64_t at = adjacent && !dims.empty() ? dims[0] : 0;
    out.insert(out.end(), p.rest.begin(), p.rest.begin() + at);
    out.insert(out.end(), shape.begin(), shape.end());
    out.insert(out.end(), p.rest.begin() + at, p.rest.end());
    return out;
  }
  // Moves the index dims of a result-layout tensor to the front (identity if not adjacent).
  Tensor to_rows(const Tensor& t, const Plan& p) const {
    const int64_t at = adjacent && !dims.empty() ? dims[0] : 0;
    if (at == 0) return t;
    const int64_t nb = static_cast<int64_t>(shape.size());
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < nb; ++i) perm.push_back(at + i);
    for (int64_t i = 0; i < at; ++i) perm.push_back(i);
    for (int64_t i = at + nb; i < t.dim(); ++i) perm.push_back(i);
    return permute(t, perm);
  }
  Tensor from_rows(const Tensor& rows, const Plan& p) const {
    const int64_t at = adjacent && !dims.empty() ? dims[0] : 0;
    if (at == 0) return rows;
    const int64_t nb = static_cast<int64_t>(shape.size());
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < at; ++i) perm.push_back(nb + i);
    for (int64_t i = 0; i < nb; ++i) perm.push_back(i);
    for (int64_t i = nb + at; i < rows.dim(); ++i) perm.push_back(i);
    return contiguous(permute(rows, perm));
  }
};

Tensor gather_rows(const Tensor& src, const AdvancedIndex& ai) {
  auto plan = ai.plan(src);
  Shape rows_shape = ai.shape;
  rows_shape.insert(rows_shape.end(), plan.rest.begin(), plan.rest.end());
  Tensor rows = detail::make_empty(rows_shape, src.dtype());
  char* base = static_cast<char*>(src.impl()->storage()->data());
  kernels::index_gather(src.dtype(), base, plan.offsets.data(),
                        static_cast<int64_t>(plan.offsets.size()), plan.rest, plan.rest_strides,
                        rows.data_ptr());
  return ai.from_rows(rows, plan);
}

// dst[ai] = values (or +=); dst must be a fresh tensor nobody else sees.
void scatter_rows(const Tensor& dst, const AdvancedIndex& ai, const Tensor& values,
                  bool accumulate) {
  auto plan = ai.plan(dst);
  Shape result = ai.result_shape(plan);
  if (!is_expandable_to(values.sizes(), result))
    throw Error(detail::cat("shape mismatch: value tensor of shape ", shape_str(values.sizes()),
                            " cannot be broadcast to indexing result of shape ",
                            shape_str(result)));
  Tensor rows = contiguous(ai.to_rows(expand(to_dtype(values, dst.dtype()), result), plan));
  char* base = static_cast<char*>(dst.impl()->storage()->data());
  kernels::index_scatter(dst.dtype(), base, plan.offsets.data(),
                         static_cast<int64_t>(plan.offsets.size()), plan.rest, plan.rest_strides,
                         rows.data_ptr(), accumulate);
}

struct IndexBackward0 final : Node {
  Shape in_shape;
  TensorList indices;
  std::string name_ = "IndexBackward0";
  std::string name() const override { return name_; }
  TensorList apply(TensorList&& g) override {
    // Accumulate, so repeated indices add up.
    return {index_put(zeros(in_shape, g[0].dtype()), indices, g[0], /*accumulate=*/true)};
  }
};

struct IndexPutBackward0 final : Node {
  TensorList indices;
  bool accumulate = false;
  std::string name() const override { return "IndexPutBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor gs, gv;
    if (needs_input_grad(0))
      gs = accumulate ? g[0] : index_put(g[0], indices, zeros({}, g[0].dtype()));
    if (needs_input_grad(1)) gv = index(g[0], indices);
    return {gs, gv};
  }
};

Tensor index_impl(const Tensor& t, const TensorList& indices, const char* name) {
  AdvancedIndex ai(t, indices);
  Tensor out = gather_rows(t, ai);
  if (autograd::compute_requires_grad({&t})) {
    auto node = make_node<IndexBackward0>();
    node->in_shape = t.sizes();
    node->indices = indices;
    node->name_ = name;
    detail::record(out, node, {&t});
  }
  return out;
}

}  // namespace

Tensor index(const Tensor& t, const TensorList& indices) {
  return index_impl(t, indices, "IndexBackward0");
}

Tensor index_put(const Tensor& t, const TensorList& indices, const Tensor& values,
                 bool accumulate) {
  if (values.dtype() != t.dtype() && !values.impl()->is_wrapped_number())
    throw Error(detail::cat("Index put requires the source and destination dtypes match, got ",
                            scalar_type_name(t.dtype()), " for the destination and ",
                            scalar_type_name(values.dtype()), " for the source."));
  AdvancedIndex ai(t, indices);
  Tensor out = detail::make_empty(t.sizes(), t.dtype());
  {
    NoGradGuard no_grad;
    out.copy_(t);
    scatter_rows(out, ai, values, accumulate);
  }
  if (autograd::compute_requires_grad({&t, &values})) {
    auto node = make_node<IndexPutBackward0>();
    node->indices = indices;
    node->accumulate = accumulate;
    detail::record(out, node, {&t, &values});
  }
  return out;
}

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index) {
  if (index.dim() > 1) throw IndexError("index_select(): Index is supposed to be a vector");
  if (index.dtype() != ScalarType::Int64)
    throw Error("index_select(): Expected dtype int64 for index");
  const int64_t d = wrap_dim(dim, t.dim());
  if (t.dim() == 0)
    return index_impl(reshape(t, {1}), {reshape(index, {-1})}, "IndexSelectBackward0");
  TensorList indices(d + 1);
  indices[d] = reshape(index, {-1});
  return index_impl(t, indices, "IndexSelectBackward0");
}

namespace {
// Storage offsets for gather/scatter along dim: element e of index picks t[..., index[e], ...].
std::vector<int64_t> gather_offsets(const Tensor& t, int64_t dim, const Tensor& index) {
  const Tensor ix = contiguous(index);
  const int64_t n = ix.numel();
  std::vector<int64_t> offs(n);
  const int64_t* p = ix.data<int64_t>();
  const int64_t nd = ix.dim();
  std::vector<int64_t> coord(nd, 0);
  const int64_t size = t.dim() ? t.sizes()[dim] : 1;
  for (int64_t e = 0; e < n; ++e) {
    int64_t off = t.storage_offset();
    for (int64_t d = 0; d < nd; ++d)
      if (d != dim) off += coord[d] * t.strides()[d];
    int64_t v = p[e];
    if (v < -size || v >= size)
      throw Error(
          detail::cat("index ", v, " is out of bounds for dimension ", dim, " with size ", size));
    off += (v < 0 ? v + size : v) * (t.dim() ? t.strides()[dim] : 0);
    offs[e] = off;
    for (int64_t d = nd - 1; d >= 0; --d) {
      if (++coord[d] < ix.sizes()[d]) break;
      coord[d] = 0;
    }
  }
  return offs;
}

struct GatherBackward0 final : Node {
  Shape in_shape;
  int64_t dim = 0;
  std::string name() const override { return "GatherBackward0"; }
  TensorList apply(TensorList&& g) override {
    detail::require_first_order(*this, g[0]);
    Tensor index = saved(0);
    Tensor out = zeros(in_shape, g[0].dtype());
    Tensor src = contiguous(g[0]);
    auto offs = gather_offsets(out, dim, index);
    kernels::index_scatter(out.dtype(), out.impl()->storage()->data(), offs.data(),
                           static_cast<int64_t>(offs.size()), {}, {}, src.data_ptr(), true);
    return {out};
  }
};
}  // namespace

Tensor gather(const Tensor& t, int64_t dim, const Tensor& index) {
  if (index.dtype() != ScalarType::Int64) throw Error("gather(): Expected dtype int64 for index");
  const int64_t d = wrap_dim(dim, t.dim());
  if (index.dim() != t.dim() && !(index.dim() <= 1 && t.dim() <= 1))
    throw Error("Index tensor must have the same number of dimensions as input tensor");
  for (int64_t k = 0; k < index.dim(); ++k)
    if (k != d && index.sizes()[k] > t.sizes()[k])
      throw Error(detail::cat("Size does not match at dimension ", k, " expected index ",
                              shape_str(index.sizes()), " to be smaller than self ",
                              shape_str(t.sizes()), " apart from dimension ", d));
  auto offs = gather_offsets(t, d, index);
  Tensor out = detail::make_empty(index.sizes(), t.dtype());
  kernels::index_gather(t.dtype(), t.impl()->storage()->data(), offs.data(),
                        static_cast<int64_t>(offs.size()), {}, {}, out.data_ptr());
  if (autograd::compute_requires_grad({&t})) {
    auto node = make_node<GatherBackward0>();
    node->in_shape = t.sizes();
    node->dim = d;
    detail::record(out, node, {&t});
    node->save(index);
  }
  return out;
}

Tensor nonzero(const Tensor& t) {
  Tensor b = contiguous(to_dtype(t, ScalarType::Bool));
  const bool* p = b.data<bool>();
  const int64_t n = b.numel(), nd = b.dim();
  std::vector<int64_t> coords;
  std::vector<int64_t> c(nd, 0);
  for (int64_t e = 0; e < n; ++e) {
    if (p[e]) coords.insert(coords.end(), c.begin(), c.end());
    for (int64_t d = nd - 1; d >= 0; --d) {
      if (++c[d] < b.sizes()[d]) break;
      c[d] = 0;
    }
  }
  const int64_t count = nd ? static_cast<int64_t>(coords.size()) / nd : (n && p[0] ? 1 : 0);
  Tensor out = detail::make_empty({count, nd}, ScalarType::Int64);
  std::copy(coords.begin(), coords.end(), out.data<int64_t>());
  return out;
}

// ---- where / masked_fill

namespace {

Tensor where_raw(const Tensor& cond, const Tensor& a, const Tensor& b, ScalarType dtype,
                 const Shape& shape) {
  Tensor ca = a.dtype() == dtype ? a : to_dtype(a.detach(), dtype);
  Tensor cb = b.dtype() == dtype ? b : to_dtype(b.detach(), dtype);
  Tensor out = detail::make_empty(shape, dtype);
  FG_DISPATCH_ALL(dtype, "where", [&] {
    kernels::where_kernel(detail::elementwise_geometry(out, {&cond, &ca, &cb}),
                          out.data<scalar_t>(), cond.data<bool>(), ca.data<scalar_t>(),
                          cb.data<scalar_t>());
  });
  return out;
}

struct WhereBackward0 final : Node {
  std::string name_ = "WhereBackward0";
  std::string name() const override { return name_; }
  TensorList apply(TensorList&& g) override {
    Tensor cond = saved(0);
    Tensor zero = zeros({}, g[0].dtype());
    Tensor ga, gb;
    if (needs_input_grad(0)) ga = where(cond, g[0], zero);
    if (needs_input_grad(1)) gb = where(cond, zero, g[0]);
    return {ga, gb};
  }
};

void check_bool(const Tensor& cond, const char* what) {
  if (cond.dtype() != ScalarType::Bool)
    throw Error(detail::cat(
        what, " expected condition to be a boolean tensor, but got a tensor with dtype ",
        scalar_type_name(cond.dtype())));
}

}  // namespace

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  check_bool(cond, "where");
  ScalarType dtype = result_type(a, b);
  Shape shape =
      broadcast_shapes(broadcast_shapes(cond.sizes(), a.sizes(), "where"), b.sizes(), "where");
  Tensor out = where_raw(cond, a, b, dtype, shape);
  if (autograd::compute_requires_grad({&a, &b})) {
    auto node = make_node<WhereBackward0>();
    detail::record(out, node, {&a, &b});
    node->save(cond);
  }
  return out;
}

Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value) {
  if (mask.dtype() != ScalarType::Bool)
    throw Error(detail::cat("masked_fill_ only supports boolean masks, but got mask with dtype ",
                            scalar_type_name(mask.dtype())));
  if (value.dim() != 0)
    throw Error(
        detail::cat("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
                    value.dim(), " dimension(s)."));
  if (!is_expandable_to(mask.sizes(), t.sizes()))
    throw Error(detail::cat("The size of tensor a (", shape_str(mask.sizes()),
                            ") must match the size of tensor b (", shape_str(t.sizes()),
                            ") at non-singleton dimension"));
  Tensor out = where_raw(mask, value, t, t.dtype(), t.sizes());
  if (autograd::compute_requires_grad({&t, &value})) {
    auto node = make_node<WhereBackward0>();
    node->name_ = "MaskedFillBackward0";
    autograd::collect_next_edges(*node, {&value, &t});
    autograd::set_history(out, node);
    node->save(mask);
  }
  return out;
}

}  // namespace fastgrad
