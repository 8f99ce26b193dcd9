#!/usr/bin/env bash
# Fails when a page under web/ breaks the rule of docs/ARCHITECTURE.md "Web pages": only
# web/shared/tribune-connection.js opens a websocket (no page carries its own copy of the
# connection code), and every staff page (one whose script takes a token) links the shared
# staff stylesheet, every public page the public one, before its own sheet. A page is any
# .html of a page's folder (web/console/ has index.html and settings.html).
set -euo pipefail
web=${1:?usage: check_web_pages.sh WEB_DIR}
[ -d "$web" ] || { echo "check_web_pages.sh: no directory $web (give the web/ directory of the source tree)"; exit 1; }
bad=0
while IFS= read -r file; do
  echo "$file opens its own websocket: use ../shared/tribune-connection.js (TribuneConnection)"
  bad=1
done < <(grep -rl --include='*.js' --include='*.html' --include='*.mjs' 'new WebSocket' "$web" | grep -v "^$web/shared/" || true)
pages=0
for page in "$web"/*/*.html; do
  dir=$(dirname "$page")
  [ "$(basename "$dir")" = shared ] && continue
  pages=$((pages + 1))
  if grep -qs 'takeToken(' "$dir"/*.js; then sheet=staff.css; else sheet=public.css; fi
  first=$(grep -o '<link rel="stylesheet" href="[^"]*"' "$page" | head -1 | sed 's/.*href="//; s/"$//')
  if [ "$first" != "../shared/$sheet" ]; then
    echo "$page: its first stylesheet should be ../shared/$sheet (found: ${first:-none}), then the page's own rules"
    bad=1
  fi
done
if [ "$pages" -eq 0 ]; then
  echo "no page found under $web"
  bad=1
fi
exit $bad
