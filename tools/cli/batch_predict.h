// `infera predict MODEL --data SPEC --output FILE`: batch prediction over a dataset, resumable
// and shardable (docs/SCALING.md). predict_command.cpp registers these options and hands over
// when --data is given.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "infera/pipeline.h"

namespace infera::cli {

struct BatchPredictArgs {
  std::vector<std::string> data;  // several: read one after another as one dataset
  std::string output;
  std::string shard = "0/1";
  bool resume = false;
  bool strict = false;
  bool quiet = false;
};

std::shared_ptr<BatchPredictArgs> add_batch_predict_options(CLI::App* predict);

int run_batch_prediction(const Pipeline& pipeline, const BatchPredictArgs& args, int batch_size);

}  // namespace infera::cli
