#pragma once
#include <stdexcept>
#include <string>

namespace tribune::media {

// A start-up failure of the media engine, with a message a technician can act on.
class MediaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tribune::media
