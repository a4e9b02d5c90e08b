// A Value is what flows along a graph edge: a tensor, a sequence of tensors, or an empty
// optional. Almost every model only ever sees tensors.
#pragma once

#include <vector>

#include "infera/tensor.h"

namespace infera {

struct Value {
  enum class Kind : uint8_t { kTensor, kSequence, kNone };

  Kind kind = Kind::kTensor;
  Tensor tensor;                 // when kind == kTensor
  std::vector<Tensor> sequence;  // when kind == kSequence
  DType sequence_dtype = DType::kUndefined;  // element type, also for empty sequences

  Value() = default;
  Value(Tensor t) : kind(Kind::kTensor), tensor(std::move(t)) {}  // NOLINT: implicit by design
  static Value make_sequence(std::vector<Tensor> items, DType elem) {
    Value v;
    v.kind = Kind::kSequence;
    v.sequence = std::move(items);
    v.sequence_dtype = elem;
    return v;
  }
  static Value none() {
    Value v;
    v.kind = Kind::kNone;
    return v;
  }
  bool is_tensor() const { return kind == Kind::kTensor; }
  bool is_sequence() const { return kind == Kind::kSequence; }
  bool is_none() const { return kind == Kind::kNone; }
};

}  // namespace infera
