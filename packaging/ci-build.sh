#!/usr/bin/env bash
# CI hook (Linux): install what the build and the smoke test need, build everything from a clean venv, smoke-test
# the .deb, measure the cold start. Exit status 0 only if all of it passed. Runs in ~5 minutes on 2 cores.
#
#   packaging/ci-build.sh            (called from .ci/run; also fine on a developer machine with sudo/root)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
T0=$(date +%s)

# ---------------------------------------------------------------- system packages
# binutils: objdump for PyInstaller and deb-depends.sh; the runtime libraries the frozen Qt links come from the
# first block of packaging/linux/depends.map (the map the .deb's Depends: is computed from). On top of those, the
# fuller desktop set of packaging/linux/desktop-host.txt (GTK, AT-SPI, X11 extensions, ...), as a hosted runner
# has it: the build must leave all of them to the system (buildinfo.linux_system_library) and still map every
# library the bundle needs, on a bare machine and on a full desktop alike. VKREF_CI_DESKTOP_LIBS=0 skips that set.
need=(binutils xz-utils xvfb xauth desktop-file-utils)  # xvfb: the smoke test also renders on the real X11 (xcb)
# path; desktop-file-utils: desktop-file-validate checks the .desktop entry (with its MimeType=) in the smoke test
while read -r pkg; do need+=("$pkg"); done < <(awk '/^# ----/{exit} !/^#/ && NF {print $2}' packaging/linux/depends.map)
if [[ ${VKREF_CI_DESKTOP_LIBS:-1} != 0 ]]; then
  while read -r pkg; do need+=("$pkg"); done < <(grep -v '^#' packaging/linux/desktop-host.txt | tr ' ' '\n' | grep .)
fi
missing=()
for pkg in $(printf '%s\n' "${need[@]}" | sort -u); do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  T_APT=$(date +%s)
  SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq
  known=()
  for pkg in "${missing[@]}"; do
    if apt-cache show "$pkg" >/dev/null 2>&1; then known+=("$pkg"); else echo "ci-build: apt knows no $pkg (skipped)"; fi
  done
  echo "ci-build: installing ${known[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${known[@]}" >/dev/null
  echo "ci-build: system packages installed in $(( $(date +%s) - T_APT )) s"
fi

# ---------------------------------------------------------------- build, smoke test, budgets
PYTHON=${PYTHON:-python3} packaging/build.sh --clean
packaging/smoke.sh
python3 packaging/measure_startup.py --runs 5 | tee -a dist/build-report.txt

python3 - <<'PY'
import os, sys
# 170/70 MB until the librarian's features; +15 MB since: lxml (citeproc-py's XML parser, 9 MB), citeproc-py
# with its locales (2 MB), rispy, bibtexparser, pylatexenc, defusedxml, charset-normalizer; then (measured
# 2026-12-06: 235 MB / 92 MB) numpy for the columnar search at 100,000 findings (42 MB: 28 MB is the OpenBLAS
# its core links), psycopg-binary for the shared catalog (10.4 MB: libpq with the SSL, Kerberos and LDAP
# libraries it links) and pypdf for PDF full texts (pure Python, in the module archive): budgets 240 MB / 95 MB
budgets = {"dist/vkref": 240e6}
size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk("dist/vkref") for f in fs
           if not os.path.islink(os.path.join(d, f)))
tgz = [f for f in os.listdir("dist") if f.endswith(".tar.gz")]
problems = []
if size > 240e6:
    problems.append(f"folder {size / 1e6:.0f} MB > 240 MB")
for f in tgz:
    if os.path.getsize(os.path.join("dist", f)) > 95e6:
        problems.append(f"{f} {os.path.getsize(os.path.join('dist', f)) / 1e6:.0f} MB > 95 MB")
print("size budgets:", "; ".join(problems) if problems else f"ok (folder {size / 1e6:.0f} MB, tar.gz <= 95 MB)")
sys.exit(1 if problems else 0)
PY
echo "ci-build: passed in $(( $(date +%s) - T0 )) s"
