// The model repository: DIR/<model>/<version>/model.onnx, optional DIR/<model>/config.json.
// The highest numbered version folder holding a model.onnx is served. Loading a new version
// (explicitly or when polling finds a change) loads and warms it up first, then swaps the
// pointer; requests already holding the old version finish on it, and it is destroyed only
// once the last of them is done (reap_retired()).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "serve/log.h"
#include "serve/served_model.h"

namespace infera::serve {

struct RepositoryEntry {
  std::string name;
  std::string version;  // "" when none is loaded
  std::string state;    // "READY" or "UNAVAILABLE"
  std::string reason;   // why it is unavailable
};

class ModelRepository {
 public:
  ModelRepository(std::string root, Logger& logger);
  ~ModelRepository();

  // Loads every model folder; throws infera::Error naming the first that fails.
  void load_all();
  // Null when `name` is not loaded.
  std::shared_ptr<ServedModel> find(const std::string& name) const;
  std::vector<std::shared_ptr<ServedModel>> loaded() const;
  // (Re)loads `name` from disk; throws infera::Error (kInvalidArgument when the folder is
  // missing, so the server answers 404). The old version serves until the new one is ready.
  void load(const std::string& name);
  // Stops serving `name`; false when it was not loaded. Polling leaves it unloaded.
  bool unload(const std::string& name);
  // Loads what changed on disk since the last look, unloads what disappeared; errors are
  // logged and the old version keeps serving.
  void poll();
  std::vector<RepositoryEntry> index() const;
  // Destroys retired versions no request holds any more.
  void reap_retired();

 private:
  std::vector<std::string> model_folders() const;
  // The version to serve and a fingerprint of its files ("" when the folder has no model).
  std::pair<std::string, std::string> newest_version(const std::string& name) const;
  void install(const std::string& name, std::shared_ptr<ServedModel> model,
               std::string fingerprint);

  std::string root_;
  Logger& logger_;
  std::mutex load_mutex_;     // one load at a time
  mutable std::mutex mutex_;  // guards the maps below
  std::map<std::string, std::shared_ptr<ServedModel>> models_;
  std::map<std::string, std::string> fingerprints_;
  std::map<std::string, std::string> failures_;
  std::set<std::string> unloaded_by_request_;
  std::vector<std::shared_ptr<ServedModel>> retired_;
};

}  // namespace infera::serve
