"""Oracle for test/differential/pipConfig.test.mjs: what pip 23.2.1's `pip install` would use.

Reads a JSON list of cases on stdin; each has `env` (the whole environment pip sees), `root` (a
directory that stands in for / under /etc, so the machine's own /etc/pip.conf stays out of the test),
optional `prefix` (sys.prefix, whose pip.conf is the "site" file) and optional `requirements` (a
requirements file to read with the finder, as `pip install -r` does). Writes a JSON list of
{indexUrls, noIndex, trustedHosts} or {error} on stdout. Nothing here touches the network.
"""

import json
import os
import sys

from pip._internal.commands import create_command
from pip._internal.req.req_file import parse_requirements
from pip._internal.utils import appdirs

ORIGINAL_SITE_DIRS = appdirs.site_config_dirs


def reroot(root):
    def site_config_dirs(appname):
        dirs = ORIGINAL_SITE_DIRS(appname)
        return [root + d if d == "/etc" or d.startswith("/etc/") else d for d in dirs]

    return site_config_dirs


def run(case):
    cmd = create_command("install")
    with cmd.main_context():
        options, _ = cmd.parse_args([])
        session = cmd.get_default_session(options)
        finder = cmd._build_package_finder(options=options, session=session)
        if case.get("requirements"):
            for _ in parse_requirements(case["requirements"], session, finder=finder, options=options):
                pass
        trusted = [h if p is None else f"{h}:{p}" for h, p in session.pip_trusted_origins]
        return {
            "indexUrls": list(finder.index_urls),
            "noIndex": bool(finder.search_scope.no_index),
            "trustedHosts": trusted,
        }


def main():
    cases = json.load(sys.stdin)
    saved_env, saved_prefix = dict(os.environ), sys.prefix
    results = []
    for case in cases:
        os.environ.clear()
        os.environ.update(case["env"])
        sys.prefix = case.get("prefix") or "/nonexistent-pinsight-prefix"
        appdirs.site_config_dirs = reroot(case["root"])
        try:
            results.append(run(case))
        except SystemExit as e:  # pip refuses a broken configuration and exits
            results.append({"error": f"exit {e.code}"})
        except Exception as e:  # noqa: BLE001 - reported to the test, which fails on it
            results.append({"error": f"{type(e).__name__}: {e}"})
        finally:
            os.environ.clear()
            os.environ.update(saved_env)
            sys.prefix = saved_prefix
            appdirs.site_config_dirs = ORIGINAL_SITE_DIRS
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
