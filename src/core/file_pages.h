// Pages of read-only file mappings that the process can give back while keeping them readable.
//
// Models load by mapping the file (onnx/mapped_file.h): initializers are views of its pages, and
// reading a weight makes its pages resident. Once a kernel has packed a weight into a layout of
// its own, the file's pages only matter if a later plan packs it again, so the kernel gives them
// back: the process's memory (RSS) then holds each weight once, not twice, and a later read
// faults the pages back in from the page cache. Only ranges inside a mapping registered here
// are touched: releasing heap memory the same way would zero it.
#pragma once

#include <cstddef>

namespace infera {

// Called by the owner of a PROT_READ, MAP_PRIVATE file mapping, for its whole lifetime.
void register_file_mapping(const void* begin, size_t size);
void unregister_file_mapping(const void* begin);

// Gives back the resident pages lying wholly inside [data, data + size) when that range is part
// of a registered file mapping; does nothing for any other memory. Returns the bytes released.
size_t release_file_pages(const void* data, size_t size);

}  // namespace infera
