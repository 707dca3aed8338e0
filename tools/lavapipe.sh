#!/usr/bin/env bash
# Mesa's lavapipe (Vulkan on the CPU, compiled by LLVM) for the engine in Node through Dawn: 3–5×
# faster than SwiftShader. Dawn refuses Debian 12's own Mesa 22.3 and accepts Mesa 25, which Debian
# 12 has in its backports suite (Debian 13 ships it). It is unpacked from its .deb into the user's
# cache — the system's apt sources and Mesa stay as they are — from the Debian mirror this machine's
# apt is already configured with. Run by tools/setup.sh after npm ci; never fails the setup: where
# lavapipe cannot be had, the CLI runs on SwiftShader and one line says so.
set -uo pipefail
cd "$(dirname "$0")/.."
dest="${XDG_CACHE_HOME:-$HOME/.cache}/webgpu-neural-style/lavapipe"
icd="$dest/lvp_icd.json"
say() { echo "setup: lavapipe: $*" >&2; }

# Does Dawn (node_modules/webgpu) give a lavapipe adapter with this ICD file? Prints its description.
probe() {
  VK_ICD_FILENAMES="$1" XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}" timeout 60 node -e '
    const { create, globals } = require("webgpu");
    Object.assign(globalThis, globals);
    create([]).requestAdapter().then((a) => {
      const d = a ? `${a.info.device} ${a.info.description}` : "";
      if (!/llvmpipe|lavapipe/i.test(d)) process.exit(1);
      console.log(a.info.description || a.info.device);
      process.exit(0);
    }, () => process.exit(1));
  ' 2>/dev/null
}

if [ -f "$icd" ] && found=$(probe "$icd"); then say "ready ($found, in $dest)"; exit 0; fi
for f in /usr/share/vulkan/icd.d/lvp_icd*.json; do
  if [ -f "$f" ] && found=$(probe "$f"); then say "the system's ($found)"; exit 0; fi
done

. /etc/os-release
if [ "${ID:-}" != debian ] || [ -z "${VERSION_CODENAME:-}" ]; then
  say "not Debian: none installed; the CLI runs on SwiftShader (or set NST_LAVAPIPE_ICD to a Mesa 25 lavapipe ICD file)"
  exit 0
fi
# the mirror of the machine's own Debian suite, as apt is configured (its package lists must exist)
mirror=$(apt-get indextargets --format '$(REPO_URI)' "Release: $VERSION_CODENAME" 'Created-By: Packages' 2>/dev/null | head -n 1)
if [ -z "$mirror" ]; then
  say "no package lists for $VERSION_CODENAME in apt's configuration (run apt-get update); the CLI runs on SwiftShader"
  exit 0
fi

# a private apt state: the backports suite's package list only, nothing in /etc or /var touched
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/parts"
echo "deb ${mirror%/} ${VERSION_CODENAME}-backports main" >"$work/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=$work/parts" -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
if ! apt-get "${apt_opts[@]}" -qq update 2>/dev/null; then
  say "could not read ${VERSION_CODENAME}-backports from $mirror; the CLI runs on SwiftShader"
  exit 0
fi
version=$(apt-cache "${apt_opts[@]}" policy mesa-vulkan-drivers 2>/dev/null | awk '/Candidate:/ { print $2 }')
if [ -z "$version" ] || [ "$version" = "(none)" ] || [ "${version%%.*}" -lt 25 ] 2>/dev/null; then
  say "${VERSION_CODENAME}-backports has no Mesa 25 or later (${version:-none}); the CLI runs on SwiftShader"
  exit 0
fi
if ! (cd "$work" && apt-get "${apt_opts[@]}" -qq download "mesa-vulkan-drivers=$version" 2>/dev/null); then
  say "could not download mesa-vulkan-drivers $version; the CLI runs on SwiftShader"
  exit 0
fi
rm -rf "$dest.partial"
mkdir -p "$dest.partial"
dpkg-deb -x "$work"/mesa-vulkan-drivers_*.deb "$work/root"
lib=$(find "$work/root" -name libvulkan_lvp.so | head -n 1)
if [ -z "$lib" ]; then
  say "mesa-vulkan-drivers $version has no libvulkan_lvp.so; the CLI runs on SwiftShader"
  exit 0
fi
cp "$lib" "$dest.partial/"
missing=$(ldd "$dest.partial/libvulkan_lvp.so" | awk '/not found/ { print $1 }' | tr '\n' ' ')
if [ -n "$missing" ]; then
  say "Mesa $version needs libraries this machine lacks ($missing); the CLI runs on SwiftShader"
  rm -rf "$dest.partial"
  exit 0
fi
api=$(sed -n 's/.*"api_version": *"\([^"]*\)".*/\1/p' "$work"/root/usr/share/vulkan/icd.d/lvp_icd*.json | head -n 1)
printf '{\n  "file_format_version": "1.0.0",\n  "ICD": { "library_path": "%s", "api_version": "%s" }\n}\n' "$dest/libvulkan_lvp.so" "${api:-1.3.0}" >"$dest.partial/lvp_icd.json"
echo "$version" >"$dest.partial/VERSION"
rm -rf "$dest"
mv "$dest.partial" "$dest"
if found=$(probe "$icd"); then
  say "Mesa $version unpacked into $dest ($found)"
else
  say "Mesa $version unpacked into $dest, but Dawn gives no adapter with it; the CLI runs on SwiftShader"
fi
exit 0
