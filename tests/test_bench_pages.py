"""The page benchmark's pages (bench/pages.py): what each mode measures."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import pages  # noqa: E402


def _targets() -> pages.Targets:
    return pages.Targets(
        thread_path="/t/thread/1/",
        big_thread_path="/t/big/2/",
        big_thread_pages=50,
        notification_paths=["/notifications/?page=1", "/notifications/?page=2"],
        library_paths=["/library/?page=1", "/library/?sort=useful"],
        search_paths=["/search/?q=survey", "/search/?q=evening"],
    )


def test_a_members_only_page_has_no_anonymous_run():
    notifications = next(p for p in pages.pages_for(_targets()) if p.key == "notifications")
    assert notifications.paths("anonymous") == []
    assert notifications.paths("signed_in") == ["/notifications/?page=1", "/notifications/?page=2"]


def test_library_and_search_are_measured_in_both_modes_over_their_spread():
    by_key = {p.key: p for p in pages.pages_for(_targets())}
    for key, spread in (("library", ["/library/?page=1", "/library/?sort=useful"]),
                        ("search", ["/search/?q=survey", "/search/?q=evening"])):  # fmt: skip
        assert by_key[key].paths("anonymous") == spread
        assert by_key[key].paths("signed_in") == spread


def test_a_mode_not_measured_shows_a_dash_in_the_table(capsys):
    result = pages.Result(page="notifications", label="a member's notifications",
                          signed_in=pages.Run(requests=300, rps=100.0, p50_ms=70.0, p99_ms=90.0,
                                              cpu_ms_per_request=15.0))  # fmt: skip
    pages.print_table([result], {"app": "app", "servers": "servers", "tool": "wrk",
                                 "connections": 8, "duration": 3, "warmup": 2, "cpus": 2,
                                 "busy_before": "0%", "spread": "spread"})  # fmt: skip
    row = next(line for line in capsys.readouterr().out.splitlines()
               if line.startswith("a member's notifications") and "|" in line)  # fmt: skip
    anonymous, signed_in = row.split("|")[:2]
    assert anonymous.split()[-1] == "-"
    assert "100" in signed_in
