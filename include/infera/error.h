// One exception type for everything the library refuses, with a category so front ends can
// choose an exit code or HTTP status without parsing messages.
#pragma once

#include <stdexcept>
#include <string>

namespace infera {

enum class ErrorKind {
  kInvalidModel,    // the model file is malformed or inconsistent
  kUnsupported,     // a valid model uses something this build cannot run
  kInvalidArgument, // the caller passed a wrong input name, shape, dtype or option
  kIo,              // a file could not be opened or read
  kInternal,        // a bug in Infera
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

}  // namespace infera
