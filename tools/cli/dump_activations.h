// `infera inspect MODEL --sample FILE --dump-activations DIR`: every intermediate tensor of one
// prediction as NPY, with a summary, so a user can find the node where a prediction goes wrong.
#pragma once

#include <string>

namespace infera::cli {

struct DumpRequest {
  std::string model;
  std::string sample;    // a .npy tensor, or an image run through the model's pipeline spec
  std::string pipeline;  // spec file or preset for an image sample ("" = the model's own)
  std::string out_dir;
  bool optimized = false;  // dump the optimized graph's nodes instead of the file's
};

// Writes DIR/NNNN_<value>.npy per tensor value in execution order, DIR/summary.json, and prints
// one line per tensor (shape, min, max, mean, NaN and Inf counts). Returns the exit code.
int dump_activations(const DumpRequest& request);

}  // namespace infera::cli
