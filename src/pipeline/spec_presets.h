// The presets behind `--pipeline NAME` and a spec's "preset" key, kept as spec JSON so they go
// through the same strict reader as any user's file.
#pragma once

#include <string>
#include <vector>

namespace infera {

// The preset's JSON text; Error(kInvalidArgument) for an unknown name.
std::string pipeline_preset_json(const std::string& name);

}  // namespace infera
