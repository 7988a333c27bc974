#!/usr/bin/python3
"""readme.py — every program output the README shows, generated from the code.

The README marks what is generated with HTML comments (invisible on GitHub):

  <!-- run: COMMAND -->      runs COMMAND, shows nothing (a setup step)
  <!-- output: COMMAND -->   runs COMMAND; the fenced block that follows is
                             replaced with "$ COMMAND" and its output
  <!-- picture: COMMAND -->  with --write, runs COMMAND, which draws a picture
                             the README shows (under docs/, a link in the
                             scratch folder); with --check, nothing (a
                             PNG's bytes depend on the fonts)
  <!-- code: FILE -->        the fenced block that follows is replaced with
                             the lines of FILE between "/* readme { */" and
                             "/* } readme */" (dedented; several such
                             regions are joined by a blank line)

Commands run with sh, in order, in one scratch folder (so a run: step can
write the dumps a later output: step reads), with the build's refgraph and
samples first on PATH and `build` a link to the build folder, NO_COLOR set
and the C locale. A run: command must exit 0; an output: command 0, or 1
(a check that found something). What depends on the machine or the moment is normalised:
ISO timestamps become 2026-01-01T00:00:00Z, hexadecimal addresses 0x0,
durations ("1.2 s", "35 ms") become "N s" / "N ms", trailing spaces go.

Usage: readme.py --build BUILD_DIR (--write | --check) [README]
  --write  rewrites the README (make readme)
  --check  exit 1 and a diff when the README differs (test_readme)
"""
import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap

MARK = re.compile(r"^<!-- (run|output|code|picture): (.+?) -->\s*$")
TIMEOUT = 300


def normalise(text):
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z", "2026-01-01T00:00:00Z", text)
    text = re.sub(r"\b0x[0-9a-fA-F]{6,}\b", "0x0", text)
    text = re.sub(r"\b\d+(?:\.\d+)? (s|ms|us)\b", r"N \1", text)
    return "\n".join(line.rstrip() for line in text.splitlines())


def run(cmd, scratch, env, where, ok=(0, 1)):
    try:
        p = subprocess.run(["sh", "-c", cmd], cwd=scratch, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        sys.exit("readme: %s: '%s' ran over %d s" % (where, cmd, TIMEOUT))
    if p.returncode not in ok:
        sys.exit("readme: %s: '%s' exited %d: %s" % (where, cmd, p.returncode,
                                                   p.stderr.decode("utf-8", "replace").strip()[:500]))
    return normalise(p.stdout.decode("utf-8", "replace"))


def code_of(src, path, where):
    try:
        with open(os.path.join(src, path), encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        sys.exit("readme: %s: cannot read '%s': %s" % (where, path, e.strerror))
    parts = re.findall(r"/\* readme \{ \*/\n(.*?)\n[ \t]*/\* \} readme \*/", text, re.S)
    if not parts:
        sys.exit("readme: %s: no /* readme { */ ... /* } readme */ in '%s'" % (where, path))
    return "\n\n".join(textwrap.dedent(p).rstrip("\n") for p in parts)


def generate(lines, src, build, scratch, name, write):
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([build, os.path.join(build, "samples"), env.get("PATH", "/usr/bin:/bin")])
    env["NO_COLOR"] = "1"
    env["LC_ALL"] = "C"
    env.pop("RG_SNAPSHOT_DIR", None)
    os.symlink(build, os.path.join(scratch, "build"))
    os.symlink(os.path.join(src, "docs"), os.path.join(scratch, "docs"))
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        m = MARK.match(line)
        if not m:
            continue
        kind, arg = m.group(1), m.group(2)
        where = "%s:%d" % (name, i)
        if kind == "run" or (kind == "picture" and write):
            run(arg, scratch, env, where, ok=(0,))
            continue
        if kind == "picture":
            continue
        # the fenced block that follows is replaced
        if i >= len(lines) or not lines[i].startswith("```"):
            sys.exit("readme: %s: a fenced block must follow the %s: marker" % (where, kind))
        fence = lines[i]
        j = i + 1
        while j < len(lines) and lines[j].rstrip() != "```":
            j += 1
        if j >= len(lines):
            sys.exit("readme: %s: the block after the marker never ends" % where)
        body = code_of(src, arg, where) if kind == "code" else "$ " + arg + "\n" + run(arg, scratch, env, where)
        out.append(fence)
        out.extend(body.rstrip("\n").split("\n"))
        out.append("```")
        i = j + 1
    return out


def main():
    ap = argparse.ArgumentParser(description="generate the README's outputs from the code")
    ap.add_argument("--build", required=True, help="a build folder with refgraph and the samples")
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    ap.add_argument("readme", nargs="?", default=None)
    a = ap.parse_args()
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    readme = a.readme or os.path.join(src, "README.md")
    build = os.path.abspath(a.build)
    for prog in ("refgraph", "samples/taste"):
        if not os.access(os.path.join(build, prog), os.X_OK):
            sys.exit("readme: no '%s' in '%s': build the targets refgraph and samples" % (prog, build))
    with open(readme, encoding="utf-8") as f:
        old = f.read()
    scratch = tempfile.mkdtemp(prefix="rg-readme-")
    try:
        new = "\n".join(generate(old.split("\n"), src, build, scratch, os.path.basename(readme), a.write))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if a.write:
        if new != old:
            tmp = readme + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(new)
            os.replace(tmp, readme)
            print("readme: updated %s" % readme)
        return 0
    if new != old:
        sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                                   readme, readme + " (generated)"))
        print("readme: %s differs from what the code prints: run 'make readme' and review the diff" % readme)
        return 1
    print("readme: %s matches the code" % readme)
    return 0


if __name__ == "__main__":
    sys.exit(main())
