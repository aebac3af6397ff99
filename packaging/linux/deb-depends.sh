#!/usr/bin/env bash
# Print the Depends: value for the frozen bundle in $1 (the one-folder app directory).
# Every DT_NEEDED library of every ELF file in the bundle that the bundle does not ship itself is looked up in
# depends.map (stable Debian 12 / Ubuntu 22.04 package names). A library the map does not know is resolved on
# the build machine instead: its path from `ldconfig -p`, then the package owning that path from `dpkg -S`
# (with a warning on stderr naming the library, so the map can be completed). Only a library that neither the
# map nor the installed system knows is an error (exit 1): the bundle could not run here either.
#
# Environment (for tests): DEPENDS_MAP (default: depends.map beside this script), LDCONFIG (default: ldconfig,
# else /sbin/ldconfig), DEB_ARCH (default: dpkg --print-architecture).
set -euo pipefail
bundle=${1:?usage: deb-depends.sh BUNDLE_DIR}
here=$(cd "$(dirname "$0")" && pwd)
map=${DEPENDS_MAP:-$here/depends.map}
command -v objdump >/dev/null || { echo "deb-depends.sh: objdump missing (apt-get install binutils)" >&2; exit 1; }
ldconfig=${LDCONFIG:-$(command -v ldconfig || echo /sbin/ldconfig)}
arch=${DEB_ARCH:-$(dpkg --print-architecture 2>/dev/null || echo amd64)}

# owner LIB: the package that owns LIB on this machine (empty if none). dpkg does not know that /lib and /usr/lib
# are the same directory on merged-/usr systems, so both spellings of each path are asked.
owner() {
  local lib=$1 path alt out
  for path in $("$ldconfig" -p 2>/dev/null | awk -v l="$lib" '$1==l {print $NF}'); do
    case $path in /usr/*) alt=${path#/usr} ;; *) alt=/usr$path ;; esac
    for p in "$path" "$alt" "$(readlink -f "$path" || true)"; do
      # "libxext6:amd64: /usr/lib/x86_64-linux-gnu/libXext.so.6", "pkg: path" (not multi-arch), "a, b: path"
      out=$(dpkg -S "$p" 2>/dev/null | awk -F': ' -v a="$arch" '/^diversion /{next}
        { n = split($1, names, ", ")
          for (i = 1; i <= n; i++) { split(names[i], pa, ":"); if (pa[2] == "" || pa[2] == a) { print pa[1]; exit } } }') || true
      [[ -n $out ]] && { echo "$out"; return 0; }
    done
  done
  return 0
}

shipped=$(find "$bundle" \( -type f -o -type l \) -printf '%f\n' | sort -u)
# objdump -p prints the dynamic section of ELF files and complains (ignored) about anything else
needed=$(find "$bundle" -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
  | xargs -0 -n 200 objdump -p 2>/dev/null | awk '/^ *NEEDED/{print $2}' | sort -u || true)
missing=() pkgs=()
for lib in $needed; do
  grep -qxF "$lib" <<<"$shipped" && continue
  pkg=$(awk -v l="$lib" '$1==l {print $2; exit}' "$map")
  if [[ -z $pkg ]]; then
    pkg=$(owner "$lib")
    [[ -n $pkg ]] && echo "deb-depends.sh: $lib is not in depends.map; using $pkg (owner on this machine)" >&2
  fi
  if [[ -z $pkg ]]; then missing+=("$lib"); else pkgs+=("$pkg"); fi
done
if ((${#missing[@]})); then
  echo "deb-depends.sh: no package known for: ${missing[*]} (not in packaging/linux/depends.map, not installed here)" >&2
  exit 1
fi
printf '%s\n' "${pkgs[@]}" | sort -u | paste -sd, | sed 's/,/, /g'
