#!/usr/bin/env python3
"""Type-checks the product's sources as Windows would compile them, on this Linux machine.

Nothing here can build or run the Windows programs (no Windows Qt), but the code for Windows must not rot unseen:
every source file that the Windows build compiles (the product's, the test support library's and the unit tests')
is compiled with MinGW-w64's g++ (-fsyntax-only, the CI build's own flags and
defines, warnings as errors), against the Linux Qt headers with Qt's win32-g++ mkspec. Under _WIN32, Qt's headers
say Q_OS_WIN, so the Windows branches of our code are the ones compiled, with Windows' type sizes (a 32-bit long).
It catches what a Windows compiler would reject in our code; it cannot catch what Windows' Qt build differs in.

    python3 .ci/check-windows-sources.py BUILD-DIR     (a configured CMake build with compile_commands.json)
"""
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys
import tempfile

COMPILER = "x86_64-w64-mingw32-g++-posix"
# Files CMake leaves out of the Windows build (probe/CMakeLists.txt: the DevTools pipe is POSIX-only).
NOT_ON_WINDOWS = {"probe/cdppipe.cpp"}


def windows_tests(build):
    """The tests Windows builds (tests/CMakeLists.txt): those labelled just `unit`, as ctest lists them."""
    listing = subprocess.run(["ctest", "--test-dir", build, "--show-only=json-v1"], capture_output=True, text=True,
                             check=True)
    names = set()
    for test in json.loads(listing.stdout)["tests"]:
        labels = next((p["value"] for p in test.get("properties", []) if p["name"] == "LABELS"), [])
        if labels == ["unit"]:
            names.add(f"tests/{test['name']}.cpp")
    return names


def windows_command(entry, include_dir):
    args = shlex.split(entry["command"])
    out = [COMPILER, "-fsyntax-only", "-isystem", include_dir]
    skip = False
    for arg in args[1:]:
        if skip:
            skip = False
        elif arg == "-o":
            skip = True
        elif arg in ("-c", "-fPIC", "-g") or arg.startswith("-O") or arg == entry["file"]:
            pass
        else:
            out.append(arg.replace("mkspecs/linux-g++", "mkspecs/win32-g++"))
    return out + [entry["file"]]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build = sys.argv[1]
    source_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = json.load(f)
    tests = windows_tests(build)
    wanted = []
    for entry in entries:
        path = os.path.relpath(entry["file"], source_root)
        # Qt's generated code is Qt's; of the tests, the support library and the tests Windows builds.
        if path.startswith("build/") or "_autogen" in path or path in NOT_ON_WINDOWS:
            continue
        if path.startswith("tests/") and not path.startswith("tests/support/") and path not in tests:
            continue
        wanted.append((path, entry))
    with tempfile.TemporaryDirectory() as include_dir:
        # QtKeychain's headers sit in /usr/include, which must not come before MinGW's own C library headers.
        os.symlink("/usr/include/qt6keychain", os.path.join(include_dir, "qt6keychain"))

        def check(item):
            path, entry = item
            run = subprocess.run(windows_command(entry, include_dir), cwd=entry["directory"],
                                 capture_output=True, text=True)
            return path, run.returncode, run.stderr

        failed = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for path, code, err in pool.map(check, wanted):
                if code != 0:
                    failed += 1
                    print(f"{path}: does not compile for Windows\n{err}", file=sys.stderr)
    print(f"check-windows-sources: {len(wanted)} files compiled for Windows, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
