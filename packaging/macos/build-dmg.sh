#!/usr/bin/env bash
# macOS: sign dist/vkref.app (built by packaging/build.sh through PyInstaller's BUNDLE), wrap it in a .dmg,
# sign, notarize and staple it. Without signing identities it still builds an unsigned (ad-hoc signed) .dmg,
# which is fine for CI and local testing but shows Gatekeeper warnings to users.
#
# Environment (all optional; taken from CI secrets):
#   MACOS_SIGN_IDENTITY   "Developer ID Application: Name (TEAMID)" - a codesigning identity in the keychain
#   MACOS_KEYCHAIN        keychain holding it (default: the login/default keychain)
#   NOTARY_PROFILE        a stored `xcrun notarytool store-credentials` profile, or else all of:
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD   (app-specific password) for notarytool
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
VERSION=$(python3 packaging/buildinfo.py version)
APP=dist/vkref.app
DMG=dist/vkref-$VERSION-macos-$(uname -m).dmg
ENTITLEMENTS=packaging/macos/entitlements.plist
[[ -d $APP ]] || { echo "build-dmg.sh: $APP missing (run packaging/build.sh)" >&2; exit 1; }

IDENTITY=${MACOS_SIGN_IDENTITY:--}  # "-" = ad-hoc signature
KEYCHAIN_ARGS=()
[[ -n ${MACOS_KEYCHAIN:-} ]] && KEYCHAIN_ARGS=(--keychain "$MACOS_KEYCHAIN")
SIGN=(codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" --sign "$IDENTITY")
[[ $IDENTITY == - ]] && SIGN=(codesign --force --sign -)
[[ ${#KEYCHAIN_ARGS[@]} -gt 0 ]] && SIGN+=("${KEYCHAIN_ARGS[@]}")

echo "signing $APP with identity ${IDENTITY}"
# inside out: every Mach-O library and plugin first, then the executables, then the bundle (no --deep)
find "$APP/Contents" -type f \( -name '*.dylib' -o -name '*.so' \) -print0 | xargs -0 -n 20 "${SIGN[@]}"
find "$APP/Contents/Frameworks" -type d -name '*.framework' -prune -print0 2>/dev/null | xargs -0 -r -n 1 "${SIGN[@]}" || true
find "$APP/Contents/MacOS" -type f -perm -u+x -print0 | xargs -0 -n 1 "${SIGN[@]}"
"${SIGN[@]}" "$APP"
codesign --verify --strict --verbose=2 "$APP"

echo "building $DMG"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
cp resources/licenses/README.md "$STAGE/Third-party licences.md"
rm -f "$DMG"
hdiutil create -volname "vkref $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -imagekey zlib-level=9 -ov "$DMG"

if [[ $IDENTITY != - ]]; then
  codesign --force --timestamp --sign "$IDENTITY" ${KEYCHAIN_ARGS[@]+"${KEYCHAIN_ARGS[@]}"} "$DMG"
  if [[ -n ${NOTARY_PROFILE:-} ]]; then
    NOTARY=(--keychain-profile "$NOTARY_PROFILE")
  elif [[ -n ${APPLE_ID:-} && -n ${APPLE_TEAM_ID:-} && -n ${APPLE_APP_PASSWORD:-} ]]; then
    NOTARY=(--apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD")
  else
    NOTARY=()
  fi
  if [[ ${#NOTARY[@]} -gt 0 ]]; then
    echo "notarizing $DMG"
    xcrun notarytool submit "$DMG" "${NOTARY[@]}" --wait
    xcrun stapler staple "$DMG"
    xcrun stapler validate "$DMG"
    spctl --assess --type open --context context:primary-signature --verbose=2 "$DMG"
  else
    echo "build-dmg.sh: signed but NOT notarized (set NOTARY_PROFILE or APPLE_ID/APPLE_TEAM_ID/APPLE_APP_PASSWORD)"
  fi
fi
echo "$DMG"
