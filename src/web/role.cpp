// Threading contract: pure, any thread.
#include "web/web_server.h"

namespace tribune::web {

const char* toString(Role role) {
  switch (role) {
    case Role::Viewer: return "viewer";
    case Role::Technician: return "technician";
    case Role::Moderator: return "moderator";
    case Role::Mayor: return "mayor";
  }
  return "viewer";
}

}  // namespace tribune::web
