#include "core/role.h"

#include <algorithm>

namespace tribune::core {

namespace {

struct RoleName {
  Role role;
  std::string_view id;
  std::string_view label;
};

constexpr std::array<RoleName, kAllRoles.size()> kRoleNames{{
    {Role::Viewer, "viewer", "spectateur"},
    {Role::Technician, "technician", "technicien"},
    {Role::Moderator, "moderator", "modérateur"},
    {Role::Mayor, "mayor", "maire"},
}};

const RoleName* find(Role role) {
  const auto found =
      std::find_if(kRoleNames.begin(), kRoleNames.end(), [role](const RoleName& name) { return name.role == role; });
  return found == kRoleNames.end() ? nullptr : &*found;
}

}  // namespace

std::string_view toString(Role role) {
  const auto* name = find(role);
  return name != nullptr ? name->id : "unknown";
}

std::optional<Role> roleFromString(std::string_view name) {
  const auto found =
      std::find_if(kRoleNames.begin(), kRoleNames.end(), [name](const RoleName& entry) { return entry.id == name; });
  if (found == kRoleNames.end()) return std::nullopt;
  return found->role;
}

std::string_view frenchLabel(Role role) {
  const auto* name = find(role);
  return name != nullptr ? name->label : "inconnu";
}

}  // namespace tribune::core
