// Several datasets read one after another as one, e.g. the Fashion-MNIST training and test
// sets as a single 70,000-record dataset. Records keep the locations their own dataset gives.
#pragma once

#include "data/dataset.h"

namespace infera {

std::unique_ptr<Dataset> concatenate_datasets(std::vector<std::unique_ptr<Dataset>> parts);

}  // namespace infera
