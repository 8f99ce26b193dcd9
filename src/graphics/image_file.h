#pragma once
// Images as files: a rendered overlay encoded as PNG (the console's previews), and whether
// the bytes of an uploaded logo decode as the image they claim to be.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/logo_check.h"
#include "graphics/image.h"

namespace tribune::graphics {

// The image as a PNG file's bytes (premultiplied ARGB32, as cairo writes it).
std::string encodePng(const Image& image);

// Overlays drawn at their places on a plain `width`×`height` picture, as PNG: what a
// viewer sees of them, for the console's previews.
std::string encodePngFrame(int width, int height, const std::vector<Image>& overlays);

// Why these bytes do not decode as a `kind` image (French, for the console), or nothing.
std::optional<std::string> undecodableImage(std::string_view bytes, core::LogoKind kind);

}  // namespace tribune::graphics
