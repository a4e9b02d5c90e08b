// Options and the run of `infera predict --data`; the work is in src/pipeline/batch_prediction
// and src/pipeline/prediction_output.
#include "batch_predict.h"

#include <cstdio>

#include "data/concatenated_dataset.h"
#include "pipeline/prediction_output.h"

namespace infera::cli {

std::shared_ptr<BatchPredictArgs> add_batch_predict_options(CLI::App* predict) {
  auto args = std::make_shared<BatchPredictArgs>();
  predict->add_option(
      "--data", args->data,
      "dataset to predict instead of files (idx:PREFIX | folder:DIR | list:FILE | "
      "csv:FILE?target=COL | npy:IN.npy,TARGETS.npy); repeat to read several as one");
  predict->add_option("--output", args->output,
                      "with --data: FILE.jsonl or FILE.csv, one line per record in record order");
  predict->add_flag("--resume", args->resume,
                    "with --data: keep the records already in --output and append the rest");
  predict->add_option("--shard", args->shard,
                      "with --data: I/N takes records whose index % N == I; env/N takes I from "
                      "JOB_COMPLETION_INDEX");
  predict->add_flag("--strict", args->strict,
                    "with --data: stop at the first bad record instead of recording its error");
  predict->add_flag("--quiet", args->quiet, "with --data: no summary on stderr");
  return args;
}

int run_batch_prediction(const Pipeline& pipeline, const BatchPredictArgs& args, int batch_size) {
  if (args.output.empty())
    throw Error(ErrorKind::kInvalidArgument, "--data needs --output FILE.jsonl|FILE.csv");
  const OutputFormat format = output_format_for(args.output);
  BatchPredictionOptions options;
  options.batch_size = batch_size;
  options.shard = parse_shard(args.shard);
  options.strict = args.strict;
  options.on_bad_record = [](const BadRecord& bad) {
    std::fprintf(stderr, "infera: bad record %s\n", bad.what());
  };
  if (args.resume) options.done_through = resume_point(args.output, format, options.shard);

  std::vector<std::unique_ptr<Dataset>> parts;
  for (const std::string& spec : args.data) parts.push_back(open_dataset(spec));
  std::unique_ptr<Dataset> data = concatenate_datasets(std::move(parts));

  PredictionWriter writer(args.output, format, args.resume);
  const BatchPredictionSummary summary =
      predict_dataset(pipeline, *data, options,
                      [&](const std::vector<RecordAnswer>& batch) { writer.write(batch); });
  if (!args.quiet) {
    std::fprintf(stderr, "infera: %lld records answered (%lld bad) in %.2f s, %.0f records/s",
                 static_cast<long long>(summary.answered), static_cast<long long>(summary.failed),
                 summary.seconds, summary.seconds > 0 ? summary.answered / summary.seconds : 0.0);
    if (options.done_through >= 0)
      std::fprintf(stderr, ", resumed after record %lld",
                   static_cast<long long>(options.done_through));
    std::fprintf(stderr, " -> %s\n", args.output.c_str());
  }
  return 0;
}

}  // namespace infera::cli
