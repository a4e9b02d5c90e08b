// Initializer bytes left in the model file until something reads them as a tensor.
//
// A protobuf file places most raw_data at addresses no float may be read from, so the decoder
// copies those tensors into aligned memory. For ResNet-50 that is 90 MB of fresh pages, 35-45 ms
// of its ~115 ms session creation on this VM (page faults, not the copy). But a Conv's weights
// are read once, to pack them into oneDNN's layout, and never again as a tensor. So the decoder
// leaves those deferred: the tensor owns an aligned buffer nothing has touched, and remembers
// where its bytes are in the file. A kernel that packs the weights reads them where they lie
// (with_bytes); anything else that reads the tensor calls materialize() first, which makes
// the copy (once, on any thread). Rewrites and graph compilation materialize for every
// reader that has not declared it packs (GraphIndex::initializer, OpKernel::reads_deferred_input).
//
//   Tensor w = make_deferred_tensor(DType::kFloat32, {64, 3, 7, 7}, file_bytes, mapping);
//   with_bytes(w, [&](const void* bytes) { pack(bytes); });  // no copy made
//   materialize(w);                                          // now w.data<float>() is valid
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "infera/tensor.h"

namespace infera {

// A tensor whose `nbytes` bytes stay at `source` (kept readable by `source_owner`) until
// materialized. Its own buffer is 64-byte aligned and untouched until then.
Tensor make_deferred_tensor(DType dtype, Shape shape, const uint8_t* source,
                            std::shared_ptr<void> source_owner);

// Whether any byte of `t` (or of the buffer it views) is still in the file.
bool is_deferred(const Tensor& t);

// Copies the bytes of the deferred buffer `t` views into it, if not done yet. Thread-safe.
void materialize(const Tensor& t);

// Copies every deferred buffer among `tensors` on up to `threads` threads (pieces of 1 MiB).
void materialize_all(const std::vector<Tensor>& tensors, int threads);

// Calls `read(bytes)` with `t`'s bytes wherever they are now: its own buffer, or the file
// (any alignment: read them with memcpy, or copy them to aligned memory first). The file's
// pages are given back afterwards, as a copy would have done.
void with_bytes(const Tensor& t, const std::function<void(const void* bytes)>& read);

}  // namespace infera
