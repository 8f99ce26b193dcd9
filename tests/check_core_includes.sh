#!/usr/bin/env bash
# Fails when a file in src/core includes anything but a standard header, nlohmann/json
# or one of the core's own headers. The core is pure C++ with no I/O (DESIGN.md §4).
set -euo pipefail
core=${1:?usage: check_core_includes.sh SRC_CORE_DIR}
bad=0
while IFS= read -r line; do
  file=${line%%:*}
  header=$(sed -E 's/.*#[[:space:]]*include[[:space:]]*[<"]([^>"]+)[>"].*/\1/' <<<"${line#*:}")
  case "$header" in
    core/*|nlohmann/*) continue ;;
    */*|*.h|*.hpp) echo "$file includes <$header>: the core may only use the standard library and nlohmann/json"; bad=1 ;;
  esac
done < <(grep -rHE '^[[:space:]]*#[[:space:]]*include' "$core" --include='*.cpp' --include='*.h' | grep -v '/poison/')
exit $bad
