// The per-format decoders behind decode_image. Each receives the whole file in memory and
// returns a fully decoded Image or throws through image_error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "pipeline/image.h"

namespace infera {

// Throws Error(kInvalidArgument) "NAME: PROBLEM".
[[noreturn]] void image_error(const std::string& name, const std::string& problem);

bool looks_like_png(const uint8_t* data, size_t size);
bool looks_like_jpeg(const uint8_t* data, size_t size);
bool looks_like_pnm(const uint8_t* data, size_t size);
bool looks_like_bmp(const uint8_t* data, size_t size);

Image decode_png(const uint8_t* data, size_t size, const std::string& name,
                 const DecodeLimits& limits);
Image decode_jpeg(const uint8_t* data, size_t size, const std::string& name,
                  const DecodeLimits& limits);
Image decode_pnm(const uint8_t* data, size_t size, const std::string& name,
                 const DecodeLimits& limits);
Image decode_bmp(const uint8_t* data, size_t size, const std::string& name,
                 const DecodeLimits& limits);

// JPEG helpers (exif_orientation.cpp): the EXIF Orientation tag (1..8) of an APP1 payload,
// 1 when absent or unreadable; and the rotation/flip that turns a stored image upright.
int exif_orientation(const uint8_t* app1, size_t size);
Image apply_exif_orientation(const Image& stored, int orientation);

}  // namespace infera
