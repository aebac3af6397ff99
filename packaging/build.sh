#!/usr/bin/env bash
# One command for the current OS: clean build venv -> PyInstaller one-folder app -> (Linux) .tar.gz and .deb.
#
#   packaging/build.sh [--clean]        (or: make dist)
#
# Outputs in dist/: vkref/ (the one-folder app), vkref-<version>-linux-<arch>.tar.gz, vkref_<version>_<arch>.deb,
# and dist/build-report.txt with the measured build time and sizes. --clean recreates the build venv and the
# PyInstaller cache (CI does this); without it the venv in build/venv is reused while its requirements match.
# Environment: PYTHON (default python3; must be >= 3.11 and built with a shared libpython), PIP_ARGS.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CLEAN=0
for arg in "$@"; do
  case $arg in
    --clean) CLEAN=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
PYTHON=${PYTHON:-python3}
START=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$*" $(( $(date +%s) - START )); }

VERSION=$("$PYTHON" packaging/buildinfo.py version)
case "$(uname -s)" in
  Linux) OS=linux ;; Darwin) OS=macos ;; MINGW*|MSYS*|CYGWIN*) OS=windows ;; *) OS=$(uname -s) ;;
esac
ARCH=$(uname -m)
echo "vkref $VERSION for $OS/$ARCH"

# ---------------------------------------------------------------- clean build venv
VENV=build/venv
if [[ $OS == windows ]]; then VPY=$VENV/Scripts/python.exe; else VPY=$VENV/bin/python; fi
REQS=$("$PYTHON" packaging/buildinfo.py requirements)
STAMP=$( { "$PYTHON" -c 'import sys; print(sys.version)'; echo "$REQS"; } | cksum | cut -d' ' -f1)
if [[ $CLEAN == 1 || ! -x $VPY || "$(cat $VENV/.stamp 2>/dev/null)" != "$STAMP" ]]; then
  step "creating the build venv ($VENV)"
  rm -rf "$VENV" build/pyinstaller
  "$PYTHON" -m venv "$VENV"
  REQ_LIST=()
  while IFS= read -r req; do REQ_LIST+=("$req"); done <<<"$REQS"  # bash 3.2 (macOS) has no mapfile
  # shellcheck disable=SC2086
  "$VPY" -m pip install --quiet --disable-pip-version-check ${PIP_ARGS:-} "${REQ_LIST[@]}"
  echo "$STAMP" > "$VENV/.stamp"
fi
"$VPY" -c 'import sysconfig, sys; sys.exit(0 if sys.platform != "linux" or sysconfig.get_config_var("Py_ENABLE_SHARED") else "build.sh: this Python has no shared libpython; PyInstaller needs one (pyenv: PYTHON_CONFIGURE_OPTS=--enable-shared)")'
"$VPY" -m pip freeze --all > build/requirements-frozen.txt

# ---------------------------------------------------------------- PyInstaller
step "PyInstaller one-folder build"
rm -rf dist/vkref dist/vkref.app
PYI_OPTS=(--noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller)
[[ $CLEAN == 1 ]] && PYI_OPTS+=(--clean)
"$VPY" -m PyInstaller "${PYI_OPTS[@]}" packaging/vkref.spec
APP=dist/vkref
[[ -x $APP/vkref || -x $APP/vkref.exe ]] || { echo "build.sh: no executable in $APP" >&2; exit 1; }
FROZEN_DONE=$(date +%s)

ARTIFACTS=()
if [[ $OS == linux ]]; then
  DEB_ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
  # ------------------------------------------------------------ .tar.gz
  step "tar.gz"
  TGZ=dist/vkref-$VERSION-linux-$ARCH.tar.gz
  if command -v pigz >/dev/null; then GZ="pigz -6"; else GZ="gzip -6"; fi
  tar -C dist --owner=0 --group=0 --numeric-owner --transform "s,^vkref,vkref-$VERSION," -cf - vkref | $GZ > "$TGZ"
  ARTIFACTS+=("$TGZ")

  # ------------------------------------------------------------ .deb
  step ".deb"
  DEPENDS=$(packaging/linux/deb-depends.sh "$APP")
  DEB_ROOT=build/deb/root
  rm -rf build/deb && mkdir -p "$DEB_ROOT/DEBIAN" "$DEB_ROOT/opt" "$DEB_ROOT/usr/bin" \
    "$DEB_ROOT/usr/share/applications" "$DEB_ROOT/usr/share/metainfo" "$DEB_ROOT/usr/share/doc/vkref"
  cp -a "$APP" "$DEB_ROOT/opt/vkref"
  ln -s ../../opt/vkref/vkref "$DEB_ROOT/usr/bin/vkref"  # relative: also works in an unpacked temp root
  install -m644 packaging/linux/org.vkref.vkref.desktop "$DEB_ROOT/usr/share/applications/"
  sed -e "s/@VERSION@/$VERSION/" -e "s/@DATE@/$(date -u +%Y-%m-%d)/" packaging/linux/org.vkref.vkref.metainfo.xml \
    > "$DEB_ROOT/usr/share/metainfo/org.vkref.vkref.metainfo.xml"
  for size in 16 24 32 48 64 128 256 512; do
    install -Dm644 "resources/icons/vkref-$size.png" "$DEB_ROOT/usr/share/icons/hicolor/${size}x${size}/apps/org.vkref.vkref.png"
  done
  install -Dm644 resources/icons/vkref.svg "$DEB_ROOT/usr/share/icons/hicolor/scalable/apps/org.vkref.vkref.svg"
  # the .vkref bundle type: shared-mime-info entry, its icon, and the caches refreshed after (un)installing
  install -Dm644 packaging/linux/vkref-mime.xml "$DEB_ROOT/usr/share/mime/packages/vkref.xml"
  install -Dm644 packaging/linux/application-x-vkref-bundle.svg \
    "$DEB_ROOT/usr/share/icons/hicolor/scalable/mimetypes/application-x-vkref-bundle.svg"
  for script in postinst postrm; do
    cat > "$DEB_ROOT/DEBIAN/$script" <<'MAINT'
#!/bin/sh
# refresh the MIME database (the .vkref type) and the desktop entries' MIME cache when the tools are present
set -e
if command -v update-mime-database >/dev/null 2>&1; then update-mime-database /usr/share/mime || true; fi
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q /usr/share/applications || true; fi
exit 0
MAINT
    chmod 755 "$DEB_ROOT/DEBIAN/$script"
  done
  cat > "$DEB_ROOT/usr/share/doc/vkref/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: vkref

Files: *
Copyright: vkref developers
License: MIT
Comment: vkref bundles Python, Qt/PySide6 (LGPL-3.0) and other third-party components as separate, replaceable
 files under /opt/vkref/_internal. Their licence texts are in /opt/vkref/_internal/resources/licenses/.
COPYRIGHT
  INSTALLED_KB=$(du -sk --exclude=DEBIAN "$DEB_ROOT" | cut -f1)
  cat > "$DEB_ROOT/DEBIAN/control" <<CONTROL
Package: vkref
Version: $VERSION
Architecture: $DEB_ARCH
Maintainer: vkref developers <vkref@localhost>
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Section: science
Priority: optional
Description: offline evidence reference on vitamin K2 and bone health
 vkref is a desktop reference for the evidence on vitamin K2 (menatetrenone/MK-4, MK-7) and bone health:
 review articles and the findings they report, searchable by full text and narrowed by facets (population,
 species, agent, outcome, direction of effect, kind of evidence). Works offline; ships a curated library.
CONTROL
  DEB=dist/vkref_${VERSION}_${DEB_ARCH}.deb
  dpkg-deb --root-owner-group -Zxz -z6 --build "$DEB_ROOT" "$DEB" >/dev/null
  ARTIFACTS+=("$DEB")
elif [[ $OS == macos ]]; then
  step "macOS .dmg"
  packaging/macos/build-dmg.sh
  ARTIFACTS+=("dist/vkref-$VERSION-macos-$ARCH.dmg")
elif [[ $OS == windows ]]; then
  step "Windows installer"
  ISCC=${ISCC:-iscc}
  "$ISCC" //Qp "//DAppVersion=$VERSION" "//DSourceDir=$(cygpath -w "$ROOT/dist/vkref" 2>/dev/null || echo "$ROOT/dist/vkref")" \
    "//DOutputDir=$(cygpath -w "$ROOT/dist" 2>/dev/null || echo "$ROOT/dist")" packaging/windows/vkref.iss
  ARTIFACTS+=("dist/vkref-$VERSION-windows-setup.exe")
fi

END=$(date +%s)
{
  echo "vkref $VERSION build on $(uname -srm), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc 2>/dev/null || echo '?') cores"
  echo "build time total: $((END - START)) s (frozen app ready after $((FROZEN_DONE - START)) s)"
  echo "folder dist/vkref: $(du -sh "$APP" | cut -f1) ($(du -sb "$APP" 2>/dev/null | cut -f1 || du -sk "$APP" | cut -f1) bytes)"
  for f in "${ARTIFACTS[@]}"; do echo "$(basename "$f"): $(du -h "$f" | cut -f1) ($(wc -c < "$f" | tr -d ' ') bytes)"; done
} | tee dist/build-report.txt
