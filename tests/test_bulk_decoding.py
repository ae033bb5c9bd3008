"""Decoding a fleet item by item reads exactly what json.loads reads, and refuses what it refuses."""

import json

import pytest

from dashboard.opencx.bulk import list_items

LISTS = [
    b"[]",
    b" \n[ ]\t",
    b'[{"id": "a1", "language": ["en", "es"], "flow": {"nodes": [1, 2.5, null, true]}}]',
    b'[1,"two" , {"three": 3}\r\n]\n',
    '[{"name": "Zoë ☎"}]'.encode(),
    '[{"name": "Zoë"}]'.encode("utf-16"),  # json.loads reads any UTF it can detect
]
NOT_LISTS = [b"", b"null", b"{}", b'"[]"', b"[1,", b"[1 2]", b"[1,]", b"[,]", b"[1] [2]", b"<html>", b"[\xff]"]


@pytest.mark.parametrize("body", LISTS)
def test_items_are_what_json_loads_reads(body):
    assert list(list_items(body)) == json.loads(body)


@pytest.mark.parametrize("body", NOT_LISTS)
def test_anything_but_one_json_list_is_refused(body):
    with pytest.raises(ValueError):
        list(list_items(body))
