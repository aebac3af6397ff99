#!/usr/bin/env bash
# Smoke test of the Linux package: unpack the .deb into a temporary root (no installation, no root needed), then
# run the *installed launcher* (usr/bin/vkref -> ../../opt/vkref/vkref) headless:
#   --version; --self-test (every check ok); search --json; portable mode (marker next to the executable);
#   the frozen GUI rendering a screenshot (saved to dist/vkref-screenshot.png); the .vkref file association (MIME
#   type, desktop entry, postinst) and the frozen app opening a bundle given as its argument.
# Any stderr output not on the allow-list below fails the test (STYLE habit 14).
#
#   packaging/smoke.sh [dist/vkref_<version>_<arch>.deb]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEB=${1:-$(ls -t "$ROOT"/dist/vkref_*.deb 2>/dev/null | head -1)}
[[ -f $DEB ]] || { echo "smoke.sh: no .deb given or found in dist/" >&2; exit 2; }
VERSION=$(python3 "$ROOT/packaging/buildinfo.py" version)
# stderr lines that are not a problem: Qt's offscreen platform lacks window-manager features
ALLOWED_STDERR='^(This plugin does not support propagateSizeHints\(\)|This plugin does not support raise\(\)|This plugin does not support grabbing the keyboard)$'

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vkref-smoke.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
FAILED=0
pass() { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; FAILED=1; }

dpkg-deb -x "$DEB" "$TMP/root"
dpkg-deb -e "$DEB" "$TMP/root/DEBIAN"
LAUNCHER=$TMP/root/usr/bin/vkref
[[ -L $LAUNCHER && -x $LAUNCHER ]] && pass "launcher usr/bin/vkref -> $(readlink "$LAUNCHER")" || fail "launcher missing or dangling"
for f in usr/share/applications/org.vkref.vkref.desktop usr/share/metainfo/org.vkref.vkref.metainfo.xml \
         usr/share/icons/hicolor/256x256/apps/org.vkref.vkref.png usr/share/icons/hicolor/scalable/apps/org.vkref.vkref.svg \
         opt/vkref/_internal/resources/licenses/README.md opt/vkref/_internal/db/vocabulary/core.yaml \
         opt/vkref/_internal/vkref/store/migrations/env.py usr/share/mime/packages/vkref.xml \
         usr/share/icons/hicolor/scalable/mimetypes/application-x-vkref-bundle.svg DEBIAN/postinst; do
  [[ -f $TMP/root/$f ]] || fail "missing /$f"
done
pass "package layout (desktop entry, metainfo, hicolor icons, licences, bundled data, migrations, MIME type)"
# the .vkref file association: the desktop entry opens the MIME type the shared-mime-info file defines
if python3 - "$TMP/root" <<'PY'
import configparser, sys, xml.etree.ElementTree as ET
root = sys.argv[1]
ns = "{http://www.freedesktop.org/standards/shared-mime-info}"
mime = ET.parse(f"{root}/usr/share/mime/packages/vkref.xml").getroot()
kind = mime.find(f"{ns}mime-type")
assert kind.get("type") == "application/x-vkref-bundle"
assert [g.get("pattern") for g in kind.findall(f"{ns}glob")] == ["*.vkref"]
assert kind.find(f"{ns}sub-class-of").get("type") == "application/zip"
entry = configparser.ConfigParser(interpolation=None)
entry.optionxform = str
entry.read(f"{root}/usr/share/applications/org.vkref.vkref.desktop")
assert "application/x-vkref-bundle" in entry["Desktop Entry"]["MimeType"].split(";")
assert entry["Desktop Entry"]["Exec"] == "vkref %f"
PY
then pass "MIME type application/x-vkref-bundle (*.vkref) parsed; the desktop entry opens it with vkref %f"
else fail "MIME type file or desktop entry MimeType="; fi
grep -q update-mime-database "$TMP/root/DEBIAN/postinst" && [[ -x $TMP/root/DEBIAN/postinst ]] \
  && pass "postinst refreshes the MIME database" || fail "postinst does not run update-mime-database"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$TMP/root/usr/share/applications/org.vkref.vkref.desktop" && pass "desktop-file-validate" \
    || fail "desktop-file-validate"
fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net --pedantic "$TMP/root/usr/share/metainfo/org.vkref.vkref.metainfo.xml" >/dev/null \
    && pass "appstreamcli validate" || fail "appstreamcli validate"
fi

# a clean, throw-away environment: no user library, no user settings, headless Qt
mkdir -p "$TMP/home" "$TMP/xdg" && chmod 700 "$TMP/xdg"
run() {  # run NAME ARGS...: launcher with stdout in $TMP/NAME.out, stderr checked against the allow-list
  local name=$1; shift
  local rc=0
  env -i PATH=/usr/bin:/bin HOME="$TMP/home" XDG_RUNTIME_DIR="$TMP/xdg" QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 \
    "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
  if grep -Evq "$ALLOWED_STDERR" "$TMP/$name.err"; then
    fail "$name: unexpected stderr:"; sed 's/^/        /' "$TMP/$name.err"
    return 1
  fi
  if ((rc)); then fail "$name: exit status $rc"; sed 's/^/        /' "$TMP/$name.out"; return 1; fi
  return 0
}

if run version "$LAUNCHER" --version; then
  grep -qx "vkref $VERSION" "$TMP/version.out" && pass "--version: $(cat "$TMP/version.out")" \
    || fail "--version printed $(cat "$TMP/version.out")"
fi

if run selftest "$LAUNCHER" --self-test; then
  sed 's/^/        /' "$TMP/selftest.out"
  if grep -q '^FAIL' "$TMP/selftest.out" || ! grep -q '^self-test passed' "$TMP/selftest.out"; then
    fail "--self-test reported failures"
  elif [[ -f $ROOT/vkref/ui/main_window.py ]] && ! grep -q '^ok  main window offscreen' "$TMP/selftest.out"; then
    fail "--self-test did not create the main window although the GUI is in the sources"
  else
    pass "--self-test (frozen, installed launcher)"
  fi
fi

LIB=$TMP/library
if run search "$LAUNCHER" --library "$LIB" search "MK-4 vertebral fracture" --filter species=Human --json; then
  if python3 - "$TMP/search.out" <<'PY'
import json, sys
page = json.load(open(sys.argv[1]))
assert page["total"] > 0 and page["hits"], page["total"]
assert all("Human" in h["facets"]["species"] for h in page["hits"]), "species filter leaked"
assert set(page["facets"]) == {"kind", "agent", "population", "species", "outcome", "direction", "evidence",
                               "review", "year"}
PY
  then pass "search --json (MK-4 vertebral fracture, species=Human): $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$TMP/search.out") hits"
  else fail "search --json output"; fi
fi

# portable mode: a marker next to the executable keeps the library beside it
touch "$TMP/root/opt/vkref/vkref-portable"
if run portable "$LAUNCHER" info --json; then
  lib_path=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["library"])' "$TMP/portable.out")
  [[ $lib_path == "$TMP/root/opt/vkref/library" && -f $TMP/root/opt/vkref/library/library.sqlite && ! -e $TMP/home/.local/share/vkref ]] \
    && pass "portable mode: library at opt/vkref/library" || fail "portable mode: library at $lib_path"
fi
rm -rf "$TMP/root/opt/vkref/vkref-portable" "$TMP/root/opt/vkref/library"

if [[ -d $ROOT/vkref/ui && -f $ROOT/vkref/ui/app.py ]]; then
  SHOT=$TMP/shot.png
  if run screenshot "$LAUNCHER" --library "$LIB" gui --query "MK-4 vertebral fracture" --screenshot "$SHOT"; then
    if [[ -s $SHOT && $(head -c 8 "$SHOT" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a && $(wc -c <"$SHOT") -gt 20000 ]]; then
      cp "$SHOT" "$ROOT/dist/vkref-screenshot.png"
      pass "frozen GUI screenshot ($(wc -c <"$SHOT") bytes, copied to dist/vkref-screenshot.png)"
    else
      fail "frozen GUI screenshot missing or not a real PNG"
    fi
  fi
  # a double-click on a bundle runs `vkref FILE.vkref`: the window opens, then the bundle's check, rendered
  if run bundle-export "$LAUNCHER" --library "$LIB" bundle export "$TMP/shared.vkref" \
     && run bundle-open "$LAUNCHER" --library "$TMP/library2" "$TMP/shared.vkref" --screenshot "$TMP/bundle.png"; then
    [[ $(wc -c <"$TMP/bundle.png") -gt 5000 ]] && pass "frozen app opens a .vkref given as its argument (dialog rendered)" \
      || fail "bundle dialog screenshot missing"
  fi
  # the real X11 path (xcb platform plugin + the system libraries the .deb depends on), when Xvfb is available
  if command -v xvfb-run >/dev/null; then
    if run screenshot-xcb xvfb-run -a env QT_QPA_PLATFORM=xcb "$LAUNCHER" --library "$LIB" gui --query raloxifene \
         --screenshot "$TMP/xcb.png"; then
      [[ $(wc -c <"$TMP/xcb.png") -gt 20000 ]] && pass "frozen GUI screenshot on X11 (xcb under Xvfb)" \
        || fail "xcb screenshot missing"
    fi
  else
    echo "skip  X11 screenshot (no xvfb-run)"
  fi
else
  echo "skip  frozen GUI screenshot (no GUI in this source tree yet)"
fi

if ((FAILED)); then echo "smoke test FAILED ($DEB)"; exit 1; fi
echo "smoke test passed ($DEB)"
