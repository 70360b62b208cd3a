#!/usr/bin/env bash
# Install test: `make install` into a temporary root (DESTDIR), then run the installed binary
# from there, with no Swift toolchain on PATH and no BODYPART_RULES, on Samples/; check that it
# links only system libraries (no Swift runtime), that its man pages and unit are in place, and
# that systemd accepts the unit. CONFIG=debug (what `make test` uses: the build it already has) or
# release (`make test-install`: the static Swift runtime is checked with ldd; a debug build links
# the toolchain's runtime, whose path the binary carries).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(mktemp -d /tmp/bodypart-install.XXXXXX)
trap 'rm -rf "$root"' EXIT
passed=0 failed=0
check() { # NAME COMMAND...
    local name=$1; shift
    if "$@" >"$root/.out" 2>&1; then passed=$((passed + 1)); echo "✔ install: $name"
    else failed=$((failed + 1)); echo "✘ install: $name"; sed 's/^/    /' "$root/.out" | tail -20; fi
}

config=${CONFIG:-debug}
check "make install DESTDIR ($config)" make --no-print-directory install CONFIG="$config" DESTDIR="$root/dest" PREFIX=/usr/local
bin="$root/dest/usr/local/bin/bodypart"
clean_env=(env -i PATH=/usr/bin:/bin HOME="$root" LANG=C.UTF-8)

check "binary installed" test -x "$bin"
if [ "$config" = release ]; then
    check "no Swift runtime linked" bash -c "! ldd '$bin' | grep -E 'libswift|libFoundation|libdispatch|/opt/swift'"
fi
check "--version names version, model and installed rules" bash -c \
    "out=\$(cd / && ${clean_env[*]} '$bin' --version) && echo \"\$out\" && [[ \$out == 'bodypart '*', model bp-'*', rules $root/dest/usr/local/share/bodypart/Rules' ]]"
check "clean Samples/ with the installed binary" bash -c \
    "cd / && ${clean_env[*]} '$bin' clean '$PWD/Samples' --out '$root/out' && test -s '$root/out/bodypart-audit.sqlite'"
check "audit summary of that run" bash -c "cd / && ${clean_env[*]} '$bin' audit summary --audit '$root/out/bodypart-audit.sqlite'"
man1="$root/dest/usr/local/share/man/man1"
check "man pages (the unit's Documentation= among them)" bash -c \
    "test -s '$man1/bodypart.1' && test -s '$man1/bodypart.clean.1' && test -s '$man1/bodypart.proxy.1' && man -l '$man1/bodypart.clean.1' | grep -q 'Fix BodyPartExamined'"
check "configuration" test -s "$root/dest/etc/bodypart/proxy.yaml"
check "sysusers and tmpfiles" test -s "$root/dest/usr/lib/sysusers.d/bodypart.conf" -a -s "$root/dest/usr/lib/tmpfiles.d/bodypart.conf"
unit="$root/dest/lib/systemd/system/bodypart-proxy.service"
check "unit starts the installed path" grep -q "^ExecStart=/usr/local/bin/bodypart proxy --config /etc/bodypart/proxy.yaml$" "$unit"
# systemd-analyze checks that ExecStart exists: verify a copy pointing into the temporary root
# (the man page it names was checked above; --man=no as it is not on the real MANPATH).
sed "s#/usr/local/bin/bodypart#$bin#" "$unit" > "$root/bodypart-proxy.service"
check "systemd-analyze verify" bash -c "out=\$(systemd-analyze verify --man=no '$root/bodypart-proxy.service' 2>&1); echo \"\$out\"; test -z \"\$out\""
# A second install keeps an operator's edited configuration.
echo "# edited by the operator" >> "$root/dest/etc/bodypart/proxy.yaml"
check "reinstall keeps the configuration" bash -c \
    "make --no-print-directory install CONFIG='$config' DESTDIR='$root/dest' >/dev/null && grep -q 'edited by the operator' '$root/dest/etc/bodypart/proxy.yaml'"

echo "install: $passed passed, $failed failed"
[ "$failed" = 0 ]
