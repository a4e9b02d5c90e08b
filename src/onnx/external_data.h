// Tensor bytes stored beside the model (TensorProto.data_location = EXTERNAL).
//
// A model file names the file its weights live in, so a hostile model could name any file
// the process can read. Locations are therefore confined to the model's folder: absolute
// paths, '..' components and symlinks that resolve outside the folder are refused.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "onnx/mapped_file.h"
#include "onnx/wire.h"

namespace infera::onnx {

class DecodeContext;

struct ExternalSlice {
  wire::Bytes bytes;
  std::shared_ptr<MappedFile> file;  // owns `bytes`
};

class ExternalDataResolver {
 public:
  // "" forbids external data (a model decoded from memory with no folder to trust).
  explicit ExternalDataResolver(std::string base_dir) : base_dir_(std::move(base_dir)) {}

  // Bytes [offset, offset + length) of `location`, or to the end of the file without length.
  ExternalSlice resolve(const DecodeContext& ctx, const std::string& location, uint64_t offset,
                        std::optional<uint64_t> length);

 private:
  std::string confined_real_path(const DecodeContext& ctx, const std::string& location);

  std::string base_dir_;
  std::string real_base_dir_;  // realpath(base_dir_), resolved on first use
  std::map<std::string, std::shared_ptr<MappedFile>> open_files_;  // one mapping per file
};

}  // namespace infera::onnx
