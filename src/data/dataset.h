// Labelled datasets for evaluation, read one record at a time so memory stays flat however
// large the dataset is. A data spec string picks the reader (docs/EVAL.md):
//
//   idx:PREFIX                       PREFIX-images-idx3-ubyte[.gz] + PREFIX-labels-idx1-ubyte[.gz]
//   folder:DIR                       DIR/CLASS/*.png...: one sub-folder per class, sorted by name
//   list:FILE.csv | list:FILE.jsonl  lines `file,label` / {"file": ..., "label": ...}
//   csv:FILE?target=COL&features=a,b  a table: named feature columns and target column(s)
//   npy:INPUTS.npy,TARGETS.npy       two arrays with one record per first-axis index
//
//   std::unique_ptr<Dataset> data = open_dataset("folder:photos");
//   DataRecord record;
//   while (true) {
//     try { if (!data->next(record)) break; } catch (const BadRecord& e) { skip(e); continue; }
//     use(record.location, record.image, record.target_class);
//   }
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "infera/error.h"
#include "infera/tensor.h"
#include "pipeline/image.h"

namespace infera {

struct DataRecord {
  std::string location;  // "DIR/cat/1.png", "list.csv:12", "t10k-images-idx3-ubyte.gz[41]"
  // The input: an image for the pipeline's preprocessing, or a tensor already in model form
  // (one record, no batch dimension: a feature row, an NPY slice).
  bool is_image = false;
  Image image;
  std::vector<float> tensor;
  Shape tensor_shape;
  // The target, as the data gives it: a class index, a class name still to be looked up in
  // the pipeline's labels, or values (regression outputs, multilabel 0/1 columns).
  int target_class = -1;
  std::string target_name;
  std::vector<float> target_values;
};

// A record that cannot be used; `location` names it. The dataset has already moved past it.
class BadRecord : public Error {
 public:
  BadRecord(const std::string& location, const std::string& problem)
      : Error(ErrorKind::kInvalidArgument, prefixed(location, problem)), location_(location) {}
  const std::string& location() const { return location_; }

 private:
  // Decoder messages already start with the file's name; it is not repeated.
  static std::string prefixed(const std::string& location, const std::string& problem) {
    return problem.rfind(location, 0) == 0 ? problem : location + ": " + problem;
  }
  std::string location_;
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  // The next record into `record`; false once every record has been read. Throws BadRecord
  // for a record that cannot be read (next() then goes on with the one after) and Error for
  // a problem that ends the dataset (a file that cannot be opened, a truncated IDX file).
  virtual bool next(DataRecord& record) = 0;
  // How many records there are when known up front (for progress); -1 otherwise.
  virtual int64_t size() const { return -1; }
  // Class names the data itself defines (an image folder's sub-folders), else empty.
  virtual std::vector<std::string> class_names() const { return {}; }
};

// Parses a data spec (above) and opens it; Error(kInvalidArgument) names what was expected.
std::unique_ptr<Dataset> open_dataset(const std::string& spec);

// The readers behind open_dataset.
std::unique_ptr<Dataset> open_idx_dataset(const std::string& prefix);
std::unique_ptr<Dataset> open_image_folder_dataset(const std::string& dir);
std::unique_ptr<Dataset> open_image_list_dataset(const std::string& file);
std::unique_ptr<Dataset> open_csv_table_dataset(const std::string& file,
                                                const std::vector<std::string>& targets,
                                                const std::vector<std::string>& features);
std::unique_ptr<Dataset> open_npy_dataset(const std::string& inputs, const std::string& targets);

// Decodes the image file `path` into `record` (location = path); BadRecord when it cannot.
void read_image_record(DataRecord& record, const std::string& path);
bool has_image_extension(const std::string& path);

// A label column's text: an integer is a class index, anything else a class name.
void set_target_from_text(DataRecord& record, const std::string& text);

}  // namespace infera
