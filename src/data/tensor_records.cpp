#include "data/tensor_records.h"

#include <cmath>
#include <cstring>

#include "ops/cast_elements.h"

namespace infera {

Tensor batch_as_float(const Tensor& batch) {
  if (batch.dtype() == DType::kFloat32) return batch;
  if (!cast_supported(batch.dtype(), DType::kFloat32))
    throw Error(ErrorKind::kInvalidArgument,
                std::string("cannot use ") + dtype_name(batch.dtype()) + " data as numbers");
  Tensor out = Tensor::empty(DType::kFloat32, batch.shape());
  cast_elements(batch, out);
  return out;
}

void set_record_input(DataRecord& record, const Tensor& batch, const Tensor& as_float,
                      int64_t row) {
  const Shape& shape = batch.shape();
  const bool image_shaped =
      shape.size() == 3 || (shape.size() == 4 && (shape[3] == 1 || shape[3] == 3));
  const int64_t per_record = shape[0] ? batch.numel() / shape[0] : 0;
  record.is_image = batch.dtype() == DType::kUInt8 && image_shaped;
  if (batch.dtype() == DType::kUInt8 && !image_shaped && !as_float.has_data())
    throw Error(ErrorKind::kInvalidArgument,
                "uint8 records of shape " + shape_to_string(Shape(shape.begin() + 1, shape.end())) +
                    " are neither images nor converted to float");
  if (record.is_image) {
    Image& image = record.image;
    image.height = static_cast<int>(shape[1]);
    image.width = static_cast<int>(shape[2]);
    image.channels = shape.size() == 4 ? static_cast<int>(shape[3]) : 1;
    image.bit_depth = 8;
    const uint8_t* first = batch.data<uint8_t>() + row * per_record;
    image.samples8.assign(first, first + per_record);
    return;
  }
  const float* first = as_float.data<float>() + row * per_record;
  record.tensor.assign(first, first + per_record);
  record.tensor_shape.assign(shape.begin() + 1, shape.end());
}

void set_record_target(DataRecord& record, const Tensor& as_float, int64_t row) {
  const int64_t per_record = as_float.dim(0) ? as_float.numel() / as_float.dim(0) : 0;
  const float* first = as_float.data<float>() + row * per_record;
  record.target_values.assign(first, first + per_record);
  record.target_class = -1;
  record.target_name.clear();
  if (per_record == 1 && first[0] >= 0 && std::floor(first[0]) == first[0])
    record.target_class = static_cast<int>(first[0]);
}

bool ArrayPairDataset::next(DataRecord& record) {
  if (row_ == chunk_rows_) {
    if (!read_chunk(inputs_chunk_, targets_chunk_)) return false;
    // An 8-bit image batch is used as it is; converting it would only waste memory.
    const bool images = inputs_chunk_.dtype() == DType::kUInt8;
    inputs_float_ = images ? Tensor() : batch_as_float(inputs_chunk_);
    targets_float_ = batch_as_float(targets_chunk_);
    chunk_rows_ = inputs_chunk_.dim(0);
    row_ = 0;
  }
  record.location = location_ + "[" + std::to_string(index_++) + "]";
  set_record_input(record, inputs_chunk_, inputs_float_, row_);
  set_record_target(record, targets_float_, row_);
  ++row_;
  return true;
}

}  // namespace infera
