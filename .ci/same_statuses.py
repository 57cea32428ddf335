"""Compare two `symtransport check --json` reports: exit 1 unless every claim has the same
status and scope in both (the load guard of .ci/run: verdicts must not depend on how busy the
machine is).

usage: python .ci/same_statuses.py IDLE.json BUSY.json
"""

import json
import sys


def statuses(path: str) -> dict[str, str]:
    with open(path, encoding="utf-8") as handle:
        return {c["id"]: f"{c['status']} at {c['scope']}" for c in json.load(handle)["claims"]}


def main(idle_path: str, busy_path: str) -> int:
    idle, busy = statuses(idle_path), statuses(busy_path)
    changed = sorted(i for i in idle.keys() | busy.keys() if idle.get(i) != busy.get(i))
    for claim in changed:
        print(f"{claim}: {idle.get(claim)} idle, {busy.get(claim)} busy", file=sys.stderr)
    print(f"load guard: {len(idle)} claims, {len(changed)} changed status or scope under load")
    return 1 if changed or not idle else 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
