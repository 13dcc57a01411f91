#!/usr/bin/env bash
# Checks what build-all.sh put in dist/:
#  - the .deb: contents, then a real install on this machine (the `sportello` user, the owner-only
#    data directory, the server answering as that user), removal keeping the data;
#  - the .msi: the service tables (msiinfo);
#  - the .exe under wine: --version, then `serve` answering /healthz; then the MSI installed in a
#    throwaway wine prefix, whose service answers /healthz on the default address.
# Needs: dpkg, curl, msitools, wine (Debian packages); root for the .deb install, which is skipped
# where Sportello is installed or /var/lib/sportello exists (it removes both afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
deb="dist/sportello_${version}_amd64.deb"
exe="dist/sportello-$version-x86_64.exe"
msi="dist/sportello-$version-x64.msi"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${WINEPREFIX:-}" ] && wineserver -k 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_health() { # url seconds [curl option]
  for _ in $(seq 1 "$2"); do
    if out="$(curl -fsS ${3:-} "$1" 2>/dev/null)"; then echo "$out"; return 0; fi
    sleep 1
  done
  echo "nessuna risposta da $1" >&2; return 1
}

echo "== .deb: contents"
dpkg-deb --info "$deb"
dpkg-deb --contents "$deb" | tee "$work/deb.txt"
for f in ./usr/bin/sportello ./etc/default/sportello ./usr/share/doc/sportello/GUIDA.md; do
  grep -q " $f\$" "$work/deb.txt" || { echo "manca $f nel .deb" >&2; exit 1; }
done
grep -Eq " ./(usr/)?lib/systemd/system/sportello.service\$" "$work/deb.txt" || { echo "manca l'unità systemd" >&2; exit 1; }
dpkg-deb --ctrl-tarfile "$deb" | tar -x -O ./postinst | grep -q "useradd --system" \
  || { echo "postinst senza utente di sistema" >&2; exit 1; }

if [ "$(id -u)" = 0 ] && { dpkg -s sportello >/dev/null 2>&1 || [ -e /var/lib/sportello ]; }; then
  # Never on a PC with a real desk: the install test removes the package and its data.
  echo "== .deb: Sportello is installed here (or /var/lib/sportello exists): install test skipped"
elif [ "$(id -u)" = 0 ]; then
  echo "== .deb: install, run as the sportello user, remove (a build machine without Sportello)"
  dpkg -i "$deb"
  # Where systemd runs, the package started the service: stop it to run the server by hand.
  [ -d /run/systemd/system ] && systemctl stop sportello
  id sportello
  /usr/bin/sportello --version
  test "$(stat -c '%U %a' /var/lib/sportello)" = "sportello 700"
  unit="$(dpkg -L sportello | grep '/systemd/system/sportello.service$')"
  grep -q '^User=sportello' "$unit"
  grep -q '^ProtectSystem=strict' "$unit"
  grep -q '^NoNewPrivileges=yes' "$unit"
  port="$(free_port)"
  runuser -u sportello -- /usr/bin/sportello --data /var/lib/sportello --bind "127.0.0.1:$port" serve &
  pids+=($!)
  wait_health "http://127.0.0.1:$port/healthz" 30
  kill "${pids[-1]}"; wait "${pids[-1]}" || true
  test -f /var/lib/sportello/sportello.redb
  dpkg --purge sportello
  test -f /var/lib/sportello/sportello.redb || { echo "dati cancellati dalla rimozione" >&2; exit 1; }
  echo "removed; data kept in /var/lib/sportello"
  rm -rf /var/lib/sportello
  userdel sportello 2>/dev/null || true
fi

echo "== .msi: service tables"
msiinfo tables "$msi" | tee "$work/tables.txt"
grep -qx ServiceInstall "$work/tables.txt"
grep -qx ServiceControl "$work/tables.txt"
msiinfo export "$msi" ServiceInstall | tee "$work/si.txt"
grep -q 'service run' "$work/si.txt"
msiinfo export "$msi" ServiceControl
msiinfo export "$msi" File | grep -E 'sportello.exe|Sportello.url|Guida.txt'

echo "== .exe under wine"
export WINEPREFIX="$work/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$WINEPREFIX"
wineboot --init >/dev/null 2>&1 || true
sys32="$WINEPREFIX/drive_c/windows/system32"
if [ ! -f "$sys32/bcryptprimitives.dll" ]; then
  # Debian 12's wine 8 lacks this Windows 10 DLL that Rust's standard library needs; test prefix only.
  x86_64-w64-mingw32-gcc -O2 -shared -o "$sys32/bcryptprimitives.dll" \
    packaging/windows/wine/bcryptprimitives.c -ladvapi32
fi
wine "$exe" --version | tee "$work/version.txt"
grep -q "sportello $version" "$work/version.txt"
mkdir -p "$work/winedata"
port="$(free_port)"
wine "$exe" --data "Z:$work/winedata" --bind "127.0.0.1:$port" serve > "$work/wine-serve.log" 2>&1 &
pids+=($!)
wait_health "http://127.0.0.1:$port/healthz" 120 || { cat "$work/wine-serve.log"; exit 1; }
kill "${pids[-1]}" 2>/dev/null || true

echo "== sportello service install|uninstall under wine"
# A fresh wine server (this also ends the server above): right after the prefix is created,
# wine's service manager refuses to start services (error 1055).
wineserver -k; wineserver -w
# Wine stops services once no ordinary program runs: one keeps it company until the end.
wine "$exe" --data 'C:\keepalive' --bind "127.0.0.1:$(free_port)" serve > /dev/null 2>&1 &
pids+=($!)
port="$(free_port)"
wine "$exe" --data 'C:\ProgramData\SportelloManuale' --bind "127.0.0.1:$port" service install
wait_health "http://127.0.0.1:$port/healthz" 60
wine sc query Sportello | grep -q RUNNING
# Options change: saved in the data directory (kept by upgrades), the service restarted on HTTPS.
port2="$(free_port)"
# Without --data: configure finds the installed service's own data directory.
wine "$exe" --bind "0.0.0.0:$port2" --tls service configure | tee "$work/configure.txt"
grep -q 'SportelloManuale' "$work/configure.txt"
wait_health "https://127.0.0.1:$port2/healthz" 60 -k
grep -q "^tls=true" "$WINEPREFIX/drive_c/ProgramData/SportelloManuale/servizio.conf"
manual="$WINEPREFIX/drive_c/ProgramData/SportelloManuale"
closed_before="$(grep -c "database chiuso correttamente" "$manual/sportello.log" || true)"
wine "$exe" service uninstall
sleep 1
if curl -fsSk "https://127.0.0.1:$port2/healthz" >/dev/null 2>&1; then echo "servizio ancora in ascolto" >&2; exit 1; fi
closed_after="$(grep -c "database chiuso correttamente" "$manual/sportello.log" || true)"
[ "$closed_after" -gt "$closed_before" ] || { echo "arresto senza chiusura del database" >&2; cat "$manual/sportello.log"; exit 1; }
test -f "$manual/sportello.redb"

echo "== .msi installed under wine: the service answers on the default address"
if curl -fsS "http://127.0.0.1:8080/healthz" >/dev/null 2>&1; then
  echo "porta 8080 già occupata: installazione MSI non provata" >&2; exit 1
fi
wineserver -k; wineserver -w
wine "$exe" --data 'C:\keepalive' --bind "127.0.0.1:$(free_port)" serve > /dev/null 2>&1 &
pids+=($!)
wine msiexec /i "$(winepath -w "$msi")" /qn
wait_health "http://127.0.0.1:8080/healthz" 120
wine sc query Sportello | tee "$work/sc.txt"
grep -q RUNNING "$work/sc.txt"
programdata="$WINEPREFIX/drive_c/ProgramData/Sportello"
test -f "$programdata/sportello.redb"
grep -q "Sportello in ascolto" "$programdata/sportello.log"

echo "== .msi uninstalled under wine: service and program gone, data kept"
# Windows Installer waits for the service to stop before removing files; wine's does not, and
# would race the exiting process for sportello.exe: stop it first, as Windows would.
wine net stop Sportello
wine msiexec /x "$(winepath -w "$msi")" /qn
sleep 2
if wine sc query Sportello 2>/dev/null | grep -q RUNNING; then echo "servizio ancora attivo" >&2; exit 1; fi
if curl -fsS "http://127.0.0.1:8080/healthz" >/dev/null 2>&1; then echo "server ancora in ascolto" >&2; exit 1; fi
test ! -e "$WINEPREFIX/drive_c/Program Files/Sportello/sportello.exe"
test -f "$programdata/sportello.redb" || { echo "dati cancellati dalla disinstallazione" >&2; exit 1; }
echo "check.sh: all packaging checks passed"
