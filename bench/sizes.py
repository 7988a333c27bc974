"""Runs bench_sizes and sizes_peer.py on every case, one process each,
rounds times, and prints their JSON lines (compare.py takes the medians).

Usage: sizes.py BENCH_SIZES PYTHON [rounds]"""
import subprocess
import sys

exe, py = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
here = sys.path[0]
cases = subprocess.run([exe, "--list"], check=True, capture_output=True, text=True).stdout.split()
for _ in range(rounds):
    for case in cases:
        n = "2000" if case == "class" else "20000" if case.endswith("100") else "200000"
        for cmd in ([exe, case, n], [py, here + "/sizes_peer.py", case, n]):
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            sys.stdout.write(out)
            sys.stdout.flush()
