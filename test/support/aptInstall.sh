# Sourced by the test setup scripts: apt_install PKG... installs the Debian packages not yet
# installed (apt-get update first, sudo when not root), quietly; does nothing when all are there.
apt_install() {
  local label="$1"; shift
  local need=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
  [ ${#need[@]} -gt 0 ] || return 0
  echo "$label: apt-get install ${need[*]}"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
}
