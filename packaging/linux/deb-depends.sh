#!/usr/bin/env bash
# Print the Depends: value for the frozen bundle in $1 (the one-folder app directory).
# Every DT_NEEDED library of every ELF file in the bundle that the bundle does not ship itself must be mapped to
# a package in depends.map; an unmapped one is an error (exit 1) so a new Qt/PySide6 cannot silently need more.
set -euo pipefail
bundle=${1:?usage: deb-depends.sh BUNDLE_DIR}
here=$(cd "$(dirname "$0")" && pwd)
command -v objdump >/dev/null || { echo "deb-depends.sh: objdump missing (apt-get install binutils)" >&2; exit 1; }
shipped=$(find "$bundle" \( -type f -o -type l \) -printf '%f\n' | sort -u)
# objdump -p prints the dynamic section of ELF files and complains (ignored) about anything else
needed=$(find "$bundle" -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
  | xargs -0 -n 200 objdump -p 2>/dev/null | awk '/^ *NEEDED/{print $2}' | sort -u || true)
missing=() pkgs=()
for lib in $needed; do
  grep -qxF "$lib" <<<"$shipped" && continue
  pkg=$(awk -v l="$lib" '$1==l {print $2; exit}' "$here/depends.map")
  if [[ -z $pkg ]]; then missing+=("$lib"); else pkgs+=("$pkg"); fi
done
if ((${#missing[@]})); then
  echo "deb-depends.sh: no package known for: ${missing[*]} (add them to packaging/linux/depends.map)" >&2
  exit 1
fi
printf '%s\n' "${pkgs[@]}" | sort -u | paste -sd, | sed 's/,/, /g'
