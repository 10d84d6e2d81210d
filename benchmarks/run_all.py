"""Run every benchmark script in this folder (`hatch run bench:all`).

Each `bench_*.py` has a `main()` that prints its own table. Pass names to run only some:
`hatch run bench:all tensor nn`.
"""

import importlib.util
import pathlib
import sys
import time


def main(argv: list[str]) -> None:
    here = pathlib.Path(__file__).parent
    scripts = sorted(here.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in argv]
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        spec = importlib.util.spec_from_file_location(script.stem, script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        start = time.perf_counter()
        module.main()
        print(f"({script.stem} took {time.perf_counter() - start:.1f} s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
