"""Big contacts files (issue 24): how long reading a 60 MB vCard file of small cards and a
60 MB CSV takes, and the peak memory, for a first cycle and for a later cycle with the
file unchanged.

    .venv/bin/python bench/records.py                # 60 MB each, in a temp dir
    .venv/bin/python bench/records.py --mb 10        # smaller, quicker
    .venv/bin/python bench/records.py --only csv     # one of the two
    PYTHONPATH=/path/to/other/checkout .venv/bin/python bench/records.py   # another version

Each measurement runs in a fresh Python process (`load_contacts` as a cycle calls it), so
the peak RSS is that process's own (`ru_maxrss`). Nothing here is a test; no test asserts
a timing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from mailbot.people import contacts as c
path, cache = Path(sys.argv[1]), sys.argv[2]
kwargs = {"cache": Path(cache)} if cache and "cache" in c.load_contacts.__code__.co_varnames else {}
start = time.perf_counter()
try:
    found = c.load_contacts([path], "Robin Owner", **kwargs)
    result = f"{len(found)} people" + (f", {len(found.problems)} problems" if found.problems else "")
except Exception as exc:
    result = f"{type(exc).__name__}: {str(exc)[:120]}"
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mb": rss, "result": result}))
"""


def write_vcards(path: Path, size: int) -> int:
    """Small cards (~150 bytes: a name, an address, a phone) until `size` bytes."""
    n = written = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        while written < size:
            card = (
                "BEGIN:VCARD\r\nVERSION:3.0\r\n"
                f"N:Person{n};Contact;;;\r\nFN:Contact Person{n}\r\n"
                f"EMAIL;TYPE=INTERNET:contact.person{n}@example.com\r\n"
                f"TEL;TYPE=CELL:+44 20 7946 {n % 10000:04d}\r\nEND:VCARD\r\n"
            )
            written += f.write(card)
            n += 1
    return n


def write_csv(path: Path, size: int) -> int:
    """LinkedIn's Connections.csv (its "Notes:" preamble, then one row per person)."""
    n = written = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        written += f.write(
            'Notes:\n"When exporting your connection data, you may notice..."\n\n'
            "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        )
        while written < size:
            written += f.write(
                f"Contact,Person{n},https://www.linkedin.com/in/contact-person-{n},"
                f"contact.person{n}@example.com,Example Company {n % 500},"
                f"Senior Engineer,{1 + n % 28:02d} Mar 2024\n"
            )
            n += 1
    return n


def measure(path: Path, cache: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), cache],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if done.returncode:
        return {"seconds": 0.0, "rss_mb": 0.0, "result": done.stderr.strip()[-200:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=60, help="size of each file (default 60)")
    parser.add_argument("--only", choices=("vcard", "csv"), help="one of the two files")
    args = parser.parse_args()
    size = args.mb * 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = []
        for name, write in (("contacts.vcf", write_vcards), ("Connections.csv", write_csv)):
            if args.only and args.only != ("vcard" if name.endswith(".vcf") else "csv"):
                continue
            path = folder / name
            started = time.perf_counter()
            n = write(path, size)
            made = time.perf_counter() - started
            print(f"{name}: {path.stat().st_size / 2**20:.0f} MB, {n:,} records ({made:.1f} s)")
            cache = str(folder / "state.sqlite3.records.json")
            for cycle in ("first cycle", "next cycle, file unchanged"):
                got = measure(path, cache)
                rows.append((name, cycle, got))
                print(f"  {cycle}: {got['seconds']:.1f} s, {got['rss_mb']:.0f} MB: {got['result']}")
        print("\n| file | cycle | time | peak RSS | result |\n| --- | --- | ---: | ---: | --- |")
        for name, cycle, got in rows:
            print(
                f"| {name} ({args.mb} MB) | {cycle} | {got['seconds']:.1f} s "
                f"| {got['rss_mb']:.0f} MB | {got['result']} |"
            )


if __name__ == "__main__":
    main()
