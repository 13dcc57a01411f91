#!/usr/bin/env bash
# Interoperability: a Sportello backup opens with the stock `age` tool, both with a passphrase
# and with a private key, and holds the dump inside gzip.
# Usage: tests/interop/age.sh PATH/TO/sportello
set -euo pipefail
bin=${1:?path to the sportello binary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass="una-password-di-backup-lunga"

SPORTELLO_ADMIN_PASSWORD=una-password-lunga-1 "$bin" --data "$work/d" init --role desk --comune-istat 072046 \
  --ambito-code BA05 --ambito-name "Ambito di prova" --admin admin > /dev/null

# 1. Passphrase: stock age asks on the terminal; expect types it.
SPORTELLO_BACKUP_PASSPHRASE="$pass" "$bin" --data "$work/d" backup --out "$work/p.age" > /dev/null
expect -c "
  set timeout 60
  spawn age -d -o $work/p.gz $work/p.age
  expect \"passphrase\"
  send \"$pass\r\"
  expect eof
  catch wait result
  exit [lindex \$result 3]
" > /dev/null
gunzip -c "$work/p.gz" | head -1 | grep -q '"format":"sportello-dump"'
echo "age interop: passphrase backup opened by stock age"

# 2. Public key: made with age-keygen, opened with age -d -i.
age-keygen -o "$work/key.txt" 2> /dev/null
recipient=$(age-keygen -y "$work/key.txt")
"$bin" --data "$work/d" backup --out "$work/k.age" --recipient "$recipient" > /dev/null
age -d -i "$work/key.txt" "$work/k.age" | gunzip | head -1 | grep -q '"schema_version"'
echo "age interop: key backup opened by stock age"

# 3. And Sportello restores what it wrote.
# (Read whole: `grep -q` would stop reading at the first match and break the pipe.)
restored=$("$bin" --data "$work/r" restore "$work/k.age" --identity "$work/key.txt")
grep -q "registro di audit integro" <<< "$restored"
echo "age interop: restored and verified"
