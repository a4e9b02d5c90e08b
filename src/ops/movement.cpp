#include "ops/movement.h"

#include "ops/op_util.h"

namespace infera {

void check_move_rank(const RunContext& ctx, int64_t rank) {
  if (rank > kMaxMoveRank)
    ctx.fail("rank " + std::to_string(rank) + " exceeds the supported maximum of " +
             std::to_string(kMaxMoveRank));
}

void check_index_dtype(const InferContext& ctx, int i) {
  const DType dt = ctx.input(i).dtype();
  if (dt != DType::kInt32 && dt != DType::kInt64)
    ctx.fail("input " + std::to_string(i) + " holds indices and must be int32 or int64, got " +
             dtype_name(dt));
}

void row_major_strides(const Shape& shape, int64_t* strides) {
  int64_t s = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    strides[d] = s;
    s *= shape[d];
  }
}

void copy_strided(const Tensor& src, Tensor& dst, const int64_t* src_strides, int64_t src_base) {
  copy_strided(src, dst, dst.shape().data(), dst.rank(), src_strides, src_base);
}

void copy_strided(const Tensor& src, Tensor& dst, const int64_t* shape, int rank,
                  const int64_t* src_strides, int64_t src_base) {
  const int64_t total = dst.numel();
  if (total == 0) return;
  dispatch_movable(src.dtype(), [&]<typename T>() {
    const T* in = src.data<T>();
    T* out = dst.data<T>();
    int64_t index[kMaxMoveRank] = {0};
    int64_t offset = src_base;
    for (int64_t i = 0; i < total; ++i) {
      out[i] = in[offset];
      // Odometer step: bump the last dim, carrying into earlier ones.
      for (int d = rank - 1; d >= 0; --d) {
        offset += src_strides[d];
        if (++index[d] < shape[d]) break;
        offset -= src_strides[d] * shape[d];
        index[d] = 0;
      }
    }
  });
}

void copy_unless_aliased(const Tensor& src, Tensor& dst) {
  if (src.raw() == dst.raw()) return;
  src.copy_to(dst);
}

std::vector<int64_t> optional_int_list(const InferContext& ctx, int i) {
  if (!ctx.has_input(i)) return {};
  return read_int_list(ctx.input(i));
}

std::vector<int64_t> optional_int_list(const RunContext& ctx, int i) {
  if (!ctx.has_input(i)) return {};
  return read_int_list(ctx.input(i));
}

int read_small_int_list(const RunContext& ctx, int i, int64_t* out) {
  if (!ctx.has_input(i)) return 0;
  const Tensor& t = ctx.input(i);
  if (t.numel() > kMaxMoveRank)
    ctx.fail("input " + std::to_string(i) + " has " + std::to_string(t.numel()) +
             " values, more than the supported " + std::to_string(kMaxMoveRank));
  for (int64_t k = 0; k < t.numel(); ++k) out[k] = read_scalar_int(t, k);
  return static_cast<int>(t.numel());
}

bool inputs_known(const InferContext& ctx, std::initializer_list<int> inputs) {
  for (int i : inputs) {
    if (ctx.has_input(i) && !ctx.input(i).has_data()) return false;
  }
  return true;
}

}  // namespace infera
