#include "serve/model_repository.h"

#include <algorithm>
#include <filesystem>

#include "infera/error.h"

namespace infera::serve {

namespace fs = std::filesystem;

namespace {

bool all_digits(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string file_fingerprint(const fs::path& path) {
  std::error_code error;
  if (!fs::exists(path, error)) return "-";
  return std::to_string(fs::file_size(path, error)) + "@" +
         std::to_string(fs::last_write_time(path, error).time_since_epoch().count());
}

}  // namespace

ModelRepository::ModelRepository(std::string root, Logger& logger)
    : root_(std::move(root)), logger_(logger) {
  if (!fs::is_directory(root_))
    throw Error(ErrorKind::kInvalidArgument, "--model-repository " + root_ + " is not a folder");
}

ModelRepository::~ModelRepository() {
  // Each batcher drains and joins while the repository still holds its model: a request's
  // callback holds the model too, and dropping the last reference on a batcher thread would
  // make that thread join itself (std::terminate: seen at SIGTERM under load, 1 exit in ~7).
  for (auto& [name, model] : models_) model->stop_batching();
  for (auto& model : retired_) model->stop_batching();
}

std::vector<std::string> ModelRepository::model_folders() const {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root_))
    if (entry.is_directory() && entry.path().filename().string()[0] != '.')
      names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::pair<std::string, std::string> ModelRepository::newest_version(const std::string& name) const {
  const fs::path folder = fs::path(root_) / name;
  std::string best;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    const std::string version = entry.path().filename().string();
    if (!all_digits(version) || !fs::exists(entry.path() / "model.onnx")) continue;
    if (best.empty() || std::stoull(version) > std::stoull(best)) best = version;
  }
  if (best.empty()) return {"", ""};
  return {best, best + ":" + file_fingerprint(folder / best / "model.onnx") + ":" +
                    file_fingerprint(folder / "config.json")};
}

void ModelRepository::load_all() {
  for (const std::string& name : model_folders()) load(name);
}

std::shared_ptr<ServedModel> ModelRepository::find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = models_.find(name);
  return it == models_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<ServedModel>> ModelRepository::loaded() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::shared_ptr<ServedModel>> models;
  for (const auto& [name, model] : models_) models.push_back(model);
  return models;
}

void ModelRepository::load(const std::string& name) {
  std::lock_guard<std::mutex> serialize(load_mutex_);
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.' ||
      !fs::is_directory(fs::path(root_) / name))
    throw Error(ErrorKind::kInvalidArgument, "no model folder '" + name + "' in " + root_);
  const auto [version, fingerprint] = newest_version(name);
  if (version.empty())
    throw Error(
        ErrorKind::kInvalidArgument,
        "model folder '" + name + "' has no <version>/model.onnx (e.g. " + name + "/1/model.onnx)");
  try {
    std::shared_ptr<ServedModel> model =
        ServedModel::load((fs::path(root_) / name).string(), name, version);
    install(name, std::move(model), fingerprint);
  } catch (const Error& e) {
    std::lock_guard<std::mutex> lock(mutex_);
    failures_[name] = e.what();
    fingerprints_[name] = fingerprint;  // do not retry the same broken files on every poll
    throw;
  }
  logger_.log(LogLevel::kInfo, "model ready",
              "\"model\":" + json_quote(name) + ",\"version\":" + json_quote(version));
}

void ModelRepository::install(const std::string& name, std::shared_ptr<ServedModel> model,
                              std::string fingerprint) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = models_.find(name);
  if (it != models_.end()) retired_.push_back(std::move(it->second));
  models_[name] = std::move(model);
  fingerprints_[name] = std::move(fingerprint);
  failures_.erase(name);
  unloaded_by_request_.erase(name);
}

bool ModelRepository::unload(const std::string& name) {
  std::lock_guard<std::mutex> serialize(load_mutex_);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = models_.find(name);
  if (it == models_.end()) return false;
  retired_.push_back(std::move(it->second));
  models_.erase(it);
  unloaded_by_request_.insert(name);
  logger_.log(LogLevel::kInfo, "model unloaded", "\"model\":" + json_quote(name));
  return true;
}

void ModelRepository::poll() {
  std::vector<std::string> on_disk = model_folders();
  for (const std::string& name : on_disk) {
    std::string known;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (unloaded_by_request_.count(name)) continue;
      known = fingerprints_.count(name) ? fingerprints_[name] : "";
    }
    if (newest_version(name).second == known) continue;
    try {
      load(name);
    } catch (const Error& e) {
      logger_.log(LogLevel::kError, "model load failed; the previous version keeps serving",
                  "\"model\":" + json_quote(name) + ",\"error\":" + json_quote(e.what()));
    }
  }
  for (const auto& model : loaded())
    if (std::find(on_disk.begin(), on_disk.end(), model->name()) == on_disk.end()) {
      unload(model->name());
      std::lock_guard<std::mutex> lock(mutex_);
      unloaded_by_request_.erase(model->name());
      fingerprints_.erase(model->name());
    }
  reap_retired();
}

std::vector<RepositoryEntry> ModelRepository::index() const {
  std::vector<RepositoryEntry> entries;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const std::string& name : model_folders()) {
    RepositoryEntry entry{name, "", "UNAVAILABLE", ""};
    auto it = models_.find(name);
    if (it != models_.end()) {
      entry.version = it->second->version();
      entry.state = "READY";
    } else if (failures_.count(name)) {
      entry.reason = failures_.at(name);
    } else {
      entry.reason = "unloaded";
    }
    entries.push_back(entry);
  }
  return entries;
}

void ModelRepository::reap_retired() {
  std::vector<std::shared_ptr<ServedModel>> done;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto idle = std::stable_partition(retired_.begin(), retired_.end(),
                                      [](const auto& model) { return model.use_count() > 1; });
    std::move(idle, retired_.end(), std::back_inserter(done));
    retired_.erase(idle, retired_.end());
  }
  done.clear();  // outside the lock: joins the old batcher's threads
}

}  // namespace infera::serve
