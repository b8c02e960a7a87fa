#!/usr/bin/env python3
"""Run scim2-tester (PyPI `scim2-tester`) against a live SCIM 2.0 server.

Usage:
    run_scim2_tester.py BASE_URL [--token TOKEN] [options]

    BASE_URL  e.g. http://127.0.0.1:8080/scim/v2  (endpoints are appended:
              BASE_URL/ServiceProviderConfig, BASE_URL/Users, ...)
    TOKEN     bearer token; also read from $SCIM_TOKEN. Sent as
              "Authorization: Bearer TOKEN" on every request.

Prints one line per CheckResult:
    PASS|WARN|FAIL|SKIP  <check_title> [<ResourceType>] [tags] :: <reason>
then a summary line "scim2-tester: N passed, N failed, N skipped".

Exit code: 0 if no check failed; 1 if any check has status ERROR or CRITICAL
(or DEVIATION with --fail-on-deviation); 2 on a runner/connection problem.

Status mapping (scim2_tester.Status):
    SUCCESS, COMPLIANT, ACCEPTABLE -> PASS
    DEVIATION                      -> WARN   (SHOULD-level deviation)
    ERROR, CRITICAL                -> FAIL
    SKIPPED                        -> SKIP   (tag filtering, PATCH unsupported,
                                              no suitable attribute, /.search 501)

Requires: pip install 'scim2-tester[httpx2]'  (the httpx2 extra is NOT pulled by
plain `pip install scim2-tester`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

try:
    from httpx2 import Client
    from scim2_client.engines.httpx2 import SyncSCIMClient
    from scim2_tester import Status, check_server, get_all_available_tags
except ImportError as exc:  # pragma: no cover
    sys.stderr.write(
        f"import failed ({exc}); install with: pip install 'scim2-tester[httpx2]'\n"
    )
    sys.exit(2)

PASS_STATUSES = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}
FAIL_STATUSES = {Status.ERROR, Status.CRITICAL}


def _label(status: Status, fail_on_deviation: bool) -> str:
    if status in PASS_STATUSES:
        return "PASS"
    if status in FAIL_STATUSES:
        return "FAIL"
    if status == Status.DEVIATION:
        return "FAIL" if fail_on_deviation else "WARN"
    if status == Status.SKIPPED:
        return "SKIP"
    return "FAIL"  # unknown future status: be strict


def _one_line(text: Any) -> str:
    s = "" if text is None else str(text)
    return s.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


def _make_trace_hooks(trace_fd):
    def on_request(request):
        body = request.read()
        trace_fd.write(
            json.dumps(
                {
                    "dir": ">",
                    "method": request.method,
                    "url": str(request.url),
                    "content_type": request.headers.get("content-type"),
                    "accept": request.headers.get("accept"),
                    "if_match": request.headers.get("if-match"),
                    "if_none_match": request.headers.get("if-none-match"),
                    "body": body.decode("utf-8", "replace") if body else None,
                }
            )
            + "\n"
        )

    def on_response(response):
        response.read()
        trace_fd.write(
            json.dumps(
                {
                    "dir": "<",
                    "method": response.request.method,
                    "url": str(response.request.url),
                    "status": response.status_code,
                    "content_type": response.headers.get("content-type"),
                    "location": response.headers.get("location"),
                    "etag": response.headers.get("etag"),
                    "body": response.text or None,
                }
            )
            + "\n"
        )
        trace_fd.flush()

    return {"request": [on_request], "response": [on_response]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("base_url")
    p.add_argument("--token", default=os.environ.get("SCIM_TOKEN"))
    p.add_argument("--include-tags", default="", help="comma list, e.g. discovery,crud")
    p.add_argument("--exclude-tags", default="", help="comma list, e.g. patch,crud:delete")
    p.add_argument("--resource-types", default="", help="comma list, e.g. User,Group")
    p.add_argument("--fail-on-deviation", action="store_true")
    p.add_argument(
        "--scim-content-type",
        action="store_true",
        help="send Content-Type/Accept: application/scim+json (scim2-client "
        "itself sends Content-Type: application/json and Accept: */*)",
    )
    p.add_argument("--no-content-type-check", action="store_true",
                   help="do not fail responses whose Content-Type is not "
                   "application/scim+json or application/json")
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--trace", metavar="FILE", help="write JSON lines of every HTTP exchange")
    p.add_argument("--json", metavar="FILE", help="write results as a JSON array")
    p.add_argument("-v", "--verbose", action="store_true", help="print result data too")
    p.add_argument("--list-tags", action="store_true")
    args = p.parse_args(argv)

    if args.list_tags:
        print("\n".join(get_all_available_tags()))
        return 0

    headers: dict[str, str] = {}
    if args.token:
        headers["Authorization"] = f"Bearer {args.token}"
    if args.scim_content_type:
        headers["Content-Type"] = "application/scim+json"
        headers["Accept"] = "application/scim+json"

    trace_fd = open(args.trace, "w") if args.trace else None
    http = Client(
        base_url=args.base_url,
        headers=headers,
        timeout=args.timeout,
        trust_env=False,  # loopback: never go through $HTTP(S)_PROXY
        event_hooks=_make_trace_hooks(trace_fd) if trace_fd else None,
    )
    scim = SyncSCIMClient(http)
    if args.no_content_type_check:
        scim.check_response_content_type = False

    split = lambda s: {x.strip() for x in s.split(",") if x.strip()} or None  # noqa: E731
    try:
        results = check_server(
            scim,
            raise_exceptions=False,
            include_tags=split(args.include_tags),
            exclude_tags=split(args.exclude_tags),
            resource_types=sorted(split(args.resource_types) or []) or None,
        )
    except Exception as exc:  # network failure before any check could report
        print(f"RUNNER-ERROR {type(exc).__name__}: {_one_line(exc)}")
        return 2
    finally:
        if trace_fd:
            trace_fd.close()

    counts = {"PASS": 0, "WARN": 0, "FAIL": 0, "SKIP": 0}
    out = []
    for r in results:
        label = _label(r.status, args.fail_on_deviation)
        counts[label] += 1
        rt = f" [{r.resource_type}]" if r.resource_type else ""
        tags = ",".join(sorted(r.tags or []))
        line = f"{label:4} {r.title}{rt} [{tags}] ({r.status.name}) :: {_one_line(r.reason)}"
        print(line)
        if args.verbose and r.data is not None and label != "PASS":
            print(f"     data: {_one_line(repr(r.data))[:2000]}")
        out.append(
            {
                "label": label,
                "status": r.status.name,
                "title": r.title,
                "resource_type": r.resource_type,
                "tags": sorted(r.tags or []),
                "reason": r.reason,
            }
        )

    if args.json:
        with open(args.json, "w") as fd:
            json.dump(out, fd, indent=1)

    if not results:
        print("RUNNER-ERROR no check result at all")
        return 2
    if counts["WARN"]:
        print(f"scim2-tester warnings (DEVIATION): {counts['WARN']}")
    print(
        f"scim2-tester: {counts['PASS']} passed, {counts['FAIL']} failed, "
        f"{counts['SKIP']} skipped"
    )
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
