"""Open311 refusals over real HTTP: missing, wrong and revoked keys, bad input (no service_code, bad coordinates,
a 10 MB description, unknown ids, malformed attributes…) and the hourly limit — each answered in the spec's error
shape with the right HTTP status, in JSON and XML, with nothing stored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_open311 import Api, bind_desk, errors_of

from bot.web.open311.keys import digest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {"service_code": "noise", "description": "楼上装修太吵", "address_string": "梨园小区3栋"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_missing_wrong_and_revoked_keys_are_refused(api: Api, fmt: str) -> None:
    await bind_desk(api.cases)
    before = await api.counts()
    revoked = await api.new_key("old-client")
    await api.keys.revoke("old-client")
    for key, said in ((None, "api_key is required"), ("gd_" + "x" * 43, "Invalid api_key"),
                      (api.key[:-1] + ("A" if api.key[-1] != "A" else "B"), "Invalid api_key"),
                      ("' OR 1=1 --", "Invalid api_key"), (revoked, "revoked")):
        form = {**GOOD, **({"api_key": key} if key else {})}
        response = await api.post(f"requests.{fmt}", form)
        assert response.status == 403
        [(code, description)] = await errors_of(response, fmt)
        assert code == 403 and said in description
        for path in (f"services.{fmt}", f"services/noise.{fmt}", f"requests.{fmt}", f"requests/20261201-0001.{fmt}"):
            response = await api.get(path, **({"api_key": key} if key else {}))
            assert response.status == 403 and (await errors_of(response, fmt))[0][0] == 403
    assert await api.counts() == before


BAD_POSTS = [
    ({"service_code": None}, 400, "service_code is required"),
    ({"service_code": "flying_saucers"}, 404, "service_code 'flying_saucers' was not found"),
    ({"service_code": "ask"}, 404, "was not found"),  # an act, not a category
    ({"lat": "91", "long": "120.15"}, 400, "lat must be a decimal number of degrees between -90 and 90"),
    ({"lat": "30.2", "long": "181"}, 400, "long must be"),
    ({"lat": "abc", "long": "nan"}, 400, "lat must be"),
    ({"lat": "30.27", "address_string": None}, 400, "lat and long go together"),
    ({"address_string": None}, 400, "a location is required"),
    ({"address_string": "梨" * 301}, 400, "address_string is 301 characters"),
    ({"description": None}, 400, "description is required"),
    ({"description": "   "}, 400, "description is required"),
    ({"description": "吵" * 4001}, 400, "description is 4001 characters; at most 4000"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url must be an http(s) URL"),
    ({"attribute[when": "night"}, 400, "malformed attribute parameter"),
    ({"attribute[when][x]": "night"}, 400, "malformed attribute parameter"),
    ({"attribute[]": "night"}, 400, "malformed attribute parameter"),
    ({"attribute[colour]": "red"}, 400, "'colour' is not an attribute of service 'noise' (its attributes: when, often)"),
    ({"attribute[when]": "midnight"}, 400, "'midnight' is not one of its values (1 = 白天, 2 = 晚上, 3 = 半夜/凌晨)"),
    ({"attribute[when]": "晚上"}, 400, "'晚上' is not one of its values"),  # the key, not the words
    ({"attribute[when]": "4"}, 400, "'4' is not one of its values"),
    ({"attribute[when]": "0"}, 400, "'0' is not one of its values"),  # counted from 1
    ({"attribute[when][]": ["1", "2"]}, 400, "attribute[when] takes one value, got 2"),
    ({"service_code": "parking", "attribute[plate]": "浙" * 201}, 400, "attribute[plate] is 201 characters; at most 200"),
    ({"service_code": "water_leak", "attribute[floor]": "3"}, 400, "'floor' is not an attribute of service 'water_leak' "
                                                                  "(its attributes: none)"),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_bad_input_is_answered_in_the_spec_shape_and_nothing_is_stored(api: Api, fmt: str) -> None:
    await bind_desk(api.cases)
    before = await api.counts()
    for change, status, said in BAD_POSTS:
        form = [(k, one) for k, v in {**GOOD, **change, "api_key": api.key}.items() if v is not None
                for one in (v if isinstance(v, list) else [v])]
        response = await api.post(f"requests.{fmt}", form)
        errors = await errors_of(response, fmt)
        assert response.status == status, (change, errors)
        assert all(code == status for code, _ in errors)
        assert any(said in description for _, description in errors), (change, errors)
    assert await api.counts() == before


async def test_every_problem_of_one_request_is_listed(api: Api) -> None:
    response = await api.post("requests.json", {"api_key": api.key, "service_code": "noise", "lat": "999",
                                                "long": "0", "attribute[when]": "never"})
    said = [d for _, d in await errors_of(response, "json")]
    assert response.status == 400 and len(said) == 3
    assert said[0].startswith("lat must be") and said[1].startswith("description is required")


async def test_odd_but_harmless_input(api: Api) -> None:
    """Many bad fields get a bounded answer; control characters and emoji do not break either format."""
    many = [("api_key", api.key), *GOOD.items(), *((f"attribute[x{i}]", "1") for i in range(900))]
    response = await api.post("requests.json", many)
    said = await errors_of(response, "json")
    assert response.status == 400 and len(said) == 21 and "880 more problems" in said[-1][1], said
    too_many = await api.post("requests.json", [*many, *((f"f{i}", "1") for i in range(5000))])
    assert too_many.status == 413 and "form fields" in (await errors_of(too_many, "json"))[0][1]
    weird = await api.get("services/%00%01<b>.xml", api_key=api.key)
    assert weird.status == 404 and "was not found" in (await errors_of(weird, "xml"))[0][1]
    emoji = await api.post("requests.xml", {**GOOD, "api_key": api.key, "description": "😡😡😡 \x07楼上太吵"})
    assert emoji.status == 201


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_ten_megabyte_description_is_refused_before_it_is_read(api: Api, fmt: str) -> None:
    before = await api.counts()
    response = await api.post(f"requests.{fmt}", {**GOOD, "api_key": api.key, "description": "x" * 10_000_000})
    assert response.status == 413
    [(code, description)] = await errors_of(response, fmt)
    assert code == 413 and "at most 262144" in description
    assert await api.counts() == before
    ok = await api.post(f"requests.{fmt}", {**GOOD, "api_key": api.key})  # and the server keeps serving
    assert ok.status == 201


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_unknown_ids_paths_and_bad_filters(api: Api, fmt: str) -> None:
    cases = [
        (f"requests/20261201-9999.{fmt}", {}, 404, "service_request_id '20261201-9999' was not found"),
        (f"requests/<script>.{fmt}", {}, 404, "was not found"),
        (f"services/nothing.{fmt}", {}, 404, "service_code 'nothing' was not found"),
        (f"requests.{fmt}", {"service_request_id": "abc"}, 400, "is not a case number"),
        (f"requests.{fmt}", {"service_code": "nothing"}, 400, "is not a service here"),
        (f"requests.{fmt}", {"status": "pending"}, 400, "status must be open or closed"),
        (f"requests.{fmt}", {"start_date": "yesterday"}, 400, "start_date must be a date-time with its zone"),
        (f"requests.{fmt}", {"end_date": "2026-12-01T08:00:00"}, 400, "end_date must be a date-time with its zone"),
        (f"requests.{fmt}", {"start_date": "2026-12-02T00:00:00Z", "end_date": "2026-12-01T00:00:00Z"}, 400,
         "start_date must be before end_date"),
        (f"nowhere.{fmt}", {}, 404, "no such resource"),
        (f"services.{fmt}x", {}, 404, "no such resource"),
    ]
    for path, params, status, said in cases:
        response = await api.get(path, api_key=api.key, **params)
        errors = await errors_of(response, fmt if not path.endswith("x") else "json")
        assert response.status == status and any(said in d for _, d in errors), (path, errors)
    wrong = await api.session.delete(api.base + f"requests.{fmt}")
    assert wrong.status == 405 and (await errors_of(wrong, fmt))[0][0] == 405
    assert set(wrong.headers["Allow"].split(",")) >= {"GET", "POST"}


async def test_forms_that_are_not_forms(api: Api) -> None:
    before = await api.counts()
    as_json = await api.post("requests.json", None, json={**GOOD, "api_key": api.key})
    assert as_json.status == 400 and "x-www-form-urlencoded" in (await errors_of(as_json, "json"))[0][1]
    binary = await api.post("requests.json", b"api_key=\xff\xfe&description=\xc3",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert binary.status in (400, 403)  # undecodable: refused, whichever check reads it first
    await errors_of(binary, "json")
    assert await api.counts() == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_the_hourly_request_limit_of_a_key(api: Api, fmt: str) -> None:
    await bind_desk(api.cases)
    small = await api.new_key("small-client", rate_limit=3)
    for _ in range(2):
        assert (await api.get(f"services.{fmt}", api_key=small)).status == 200
    assert (await api.post(f"requests.{fmt}", {**GOOD, "api_key": small})).status == 201
    before = await api.counts()
    for attempt in (api.get(f"services.{fmt}", api_key=small), api.post(f"requests.{fmt}", {**GOOD, "api_key": small})):
        response = await attempt
        assert response.status == 429
        [(code, description)] = await errors_of(response, fmt)
        assert code == 429 and "limit of 3 per hour" in description
        assert 0 < int(response.headers["Retry-After"]) <= 3600
    assert await api.counts() == before
    assert (await api.key_row("small-client")).window_count == 3  # refused requests are not counted
    assert (await api.get(f"services.{fmt}", api_key=api.key)).status == 200  # another key is not held up


def test_the_api_key_commands(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'keys.db'}", "LOG_LEVEL": "WARNING",
           "TELEGRAM_BOT_TOKEN": ""}

    def griddesk(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "api-key", *args], capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=120)

    created = griddesk("create", "--name", "12345-platform", "--limit", "50")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("gd_") and len(key) > 40 and "shown only now" in created.stderr
    listed = griddesk("list")
    assert "12345-platform" in listed.stdout and "0/50 this hour" in listed.stdout and key not in listed.stdout
    stored = (tmp_path / "keys.db").read_bytes()
    assert key.encode() not in stored and digest(key).encode() in stored  # hashed, never the key itself
    again = griddesk("create", "--name", "12345-platform")
    assert again.returncode == 1 and "exists already" in again.stderr
    assert griddesk("create", "--name", "x", "--limit", "0").returncode == 2
    revoked = griddesk("revoke", "12345-platform")
    assert revoked.returncode == 0 and "revoked api key 1" in revoked.stdout
    assert griddesk("revoke", "1").returncode == 1
    assert "12345-platform" not in griddesk("list").stdout and "revoked" in griddesk("list", "--all").stdout
