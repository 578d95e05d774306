"""Bad input never raises: each problem becomes a failed/skipped Document with an SRnnn reason,
one warning line on the sitrep.ingest logger, and the batch goes on."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from sitrep.ingest import read_paths
from sitrep.options import Options

DATA = Path(__file__).parent / "data" / "ingest"
GOOD = "Ukrainian forces recaptured several villages along the Dnipro River on Monday, officials said."

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>Bomb</title><description>&lol9;</description></item></channel></rss>
"""


def read(*paths, **options):
    return list(read_paths([Path(p) for p in paths], Options(**options)))


def single(path, **options):
    (doc,) = read(path, **options)
    return doc


def assert_failed(doc, code):
    assert doc.status == "failed", doc
    assert doc.reason.startswith(code + " "), doc.reason
    assert doc.text is None and doc.content_hash is None


def test_binary_file_fails_sr103(tmp_path):
    f = tmp_path / "photo.bin"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    assert_failed(single(f), "SR103")


def test_binary_content_behind_a_txt_extension_fails_sr103(tmp_path):
    f = tmp_path / "article.txt"
    f.write_bytes(GOOD.encode() + b"\x00\x01\x02\x00" * 50)
    doc = single(f)
    assert_failed(doc, "SR103")
    assert doc.doc_id == "article"


def test_empty_and_whitespace_only_files_fail_sr102(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.html").write_text("  \n\n\t \n", encoding="utf-8")
    docs = read(tmp_path)
    assert [d.doc_id for d in docs] == ["blank", "empty"]
    for doc in docs:
        assert_failed(doc, "SR102")


def test_50_mb_file_fails_sr105_without_being_read(tmp_path, monkeypatch):
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:  # sparse: 50 MB on paper, nothing written
        fh.truncate(50 * 1024 * 1024)
    opened = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: opened.append(self) or real_open(self, *a, **k))
    doc = single(big)
    assert_failed(doc, "SR105")
    assert "52428800 bytes" in doc.reason
    assert big not in opened


def test_max_bytes_option_sets_the_limit(tmp_path):
    f = tmp_path / "report.txt"
    f.write_text(GOOD * 3, encoding="utf-8")
    assert_failed(single(f, max_bytes=100), "SR105")
    assert single(f, max_bytes=10_000).status == "ok"


def test_truncated_html_still_yields_the_text_before_the_cut():
    doc = single(DATA / "truncated.html")
    assert doc.status == "ok"
    assert "reached the town of Dudchany" in doc.text
    assert doc.title == "Ukrainian troops push deeper into Kherson region"


def test_html_without_any_text_fails_sr106(tmp_path):
    f = tmp_path / "shell.html"
    f.write_text("<!DOCTYPE html><html><head><script>var a = 1;</script></head><body><div><img src='x.png'>"
                 "</div></body></html>", encoding="utf-8")
    assert_failed(single(f), "SR106")


def test_malformed_html_tag_soup_is_still_read(tmp_path):
    f = tmp_path / "soup.html"
    f.write_text("<html><body><div><p>Ukrainian forces recaptured several villages along the Dnipro "
                 "<b>River on Monday, <i>officials said.</p></div><p>The advance continued on Tuesday, "
                 "the southern command said.<td></span></body>", encoding="utf-8")
    doc = single(f)
    assert doc.status == "ok"
    assert "villages along the Dnipro River on Monday" in doc.text


def test_invalid_json_line_fails_alone_sr107_and_other_lines_go_on():
    docs = read(DATA / "wire_rows.jsonl")
    statuses = {d.doc_id: (d.status, (d.reason or "")[:5]) for d in docs}
    assert statuses == {"wire-001": ("ok", ""), "wire_rows-2": ("ok", ""), "wire_rows-3": ("failed", "SR107"),
                        "wire-004": ("failed", "SR113"), "wire-005": ("ok", "")}


def test_invalid_json_file_fails_sr107(tmp_path):
    f = tmp_path / "broken.json"
    f.write_text('[{"id": "a", "text": "Ukrainian forces advanced."}, {"id": ', encoding="utf-8")
    doc = single(f)
    assert_failed(doc, "SR107")
    assert "line 1" in doc.reason


def test_json_without_article_records_fails_sr113(tmp_path):
    f = tmp_path / "config.json"
    f.write_text('{"name": "not an article", "version": 3}', encoding="utf-8")
    assert_failed(single(f), "SR113")


def test_csv_bad_quoting_fails_those_rows_sr108_and_other_rows_go_on():
    docs = read(DATA / "table.csv")
    assert [(d.doc_id, d.status) for d in docs] == [
        ("csv-1", "ok"), ("table-2", "failed"), ("table-3", "failed"), ("csv-4", "ok"), ("table-5", "failed")]
    for doc in docs[1:3] + docs[4:]:
        assert_failed(doc, "SR108")


def test_csv_unclosed_quote_at_the_end_fails_only_that_row(tmp_path):
    f = tmp_path / "tail.csv"
    f.write_text(f'id,text\nok-1,"{GOOD}"\nbad-2,"never closed\nmore text of the broken row\n',
                 encoding="utf-8")
    docs = read(f)
    assert docs[0].doc_id == "ok-1" and docs[0].status == "ok"
    assert_failed(docs[1], "SR108")


def test_csv_without_a_text_column_fails_sr113(tmp_path):
    f = tmp_path / "numbers.csv"
    f.write_text("a,b\n1,2\n", encoding="utf-8")
    assert_failed(single(f), "SR113")


def test_xml_bomb_fails_sr109_and_feedparser_never_sees_it(tmp_path, monkeypatch):
    import feedparser

    def forbidden(*args, **kwargs):
        raise AssertionError("feedparser.parse called on an unsafe document")

    monkeypatch.setattr(feedparser, "parse", forbidden)
    (tmp_path / "bomb.xml").write_bytes(BILLION_LAUGHS)
    (tmp_path / "bomb_no_ext").write_bytes(BILLION_LAUGHS)
    docs = read(tmp_path)
    assert len(docs) == 2
    for doc in docs:
        assert_failed(doc, "SR109")


def test_external_entity_feed_fails_sr109(tmp_path):
    f = tmp_path / "xxe.rss"
    f.write_bytes(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                  b"<rss><channel><item><description>&x;</description></item></channel></rss>")
    assert_failed(single(f), "SR109")


def test_malformed_feed_without_entries_fails_sr109(tmp_path):
    f = tmp_path / "cut.xml"
    f.write_bytes(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</titl')
    assert_failed(single(f), "SR109")


def test_xml_that_is_not_a_feed_is_skipped_sr110(tmp_path):
    f = tmp_path / "sitemap.xml"
    f.write_bytes(b'<?xml version="1.0"?><urlset><url><loc>https://example.org/</loc></url></urlset>')
    doc = single(f)
    assert doc.status == "skipped" and doc.reason.startswith("SR110")


def test_text_too_short_after_cleaning_fails_sr111(tmp_path):
    f = tmp_path / "stub.txt"
    f.write_text("Skip to main content\nAdvertisement\n\nKyiv update.\n", encoding="utf-8")
    doc = single(f)
    assert_failed(doc, "SR111")
    short = single(f, min_text_chars=5)
    assert (short.status, short.text, short.lang) == ("ok", "Kyiv update.", None)  # too short to tell


def test_unsupported_and_unrecognisable_files_are_skipped_sr110(tmp_path):
    (tmp_path / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (tmp_path / "table.dat").write_text("0x1F 0x2A ### 12 34 56 ;; @@ ## ~~ ^^ ||\n" * 20, encoding="utf-8")
    docs = read(tmp_path)
    assert [(d.doc_id, d.status, d.reason[:5]) for d in docs] == [
        ("chart", "skipped", "SR110"), ("table", "skipped", "SR110")]


def test_undecodable_bytes_fail_sr104(tmp_path):
    f = tmp_path / "garbled.txt"
    f.write_bytes(bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D, 0xFE, 0xFF, 0xC0, 0xC1, 0xF5]) * 40)
    assert_failed(single(f), "SR104")


def test_missing_path_fails_sr101(tmp_path):
    assert_failed(single(tmp_path / "nowhere.txt"), "SR101")


def test_one_warning_line_per_failure_and_the_batch_goes_on(tmp_path, caplog):
    (tmp_path / "a_empty.txt").write_bytes(b"")
    (tmp_path / "b_binary.txt").write_bytes(b"\x00\x01" * 100)
    (tmp_path / "c_bomb.xml").write_bytes(BILLION_LAUGHS)
    (tmp_path / "d_good.txt").write_text(GOOD, encoding="utf-8")
    shutil.copy(DATA / "russian.txt", tmp_path / "e_russian.txt")
    with caplog.at_level(logging.INFO, logger="sitrep.ingest"):
        docs = read(tmp_path)
    assert [(d.doc_id, d.status) for d in docs] == [
        ("a_empty", "failed"), ("b_binary", "failed"), ("c_bomb", "failed"), ("d_good", "ok"),
        ("e_russian", "skipped")]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3
    assert warnings[1] == f"SR103 {tmp_path / 'b_binary.txt'}: binary file"
    assert all("\n" not in w for w in warnings)


@pytest.mark.parametrize("name", ["wire_rows.jsonl", "table.csv", "feed.rss"])
def test_failed_records_keep_their_location_in_meta(name):
    failed = [d for d in read(DATA / name) if d.status == "failed"]
    assert failed
    for doc in failed:
        assert doc.meta.get("row") or doc.meta.get("entry")


def test_an_unexpected_error_fails_one_document_and_the_batch_goes_on(tmp_path, monkeypatch):
    from sitrep.ingest import lang, readers

    real_detect = lang.detect_language

    def flaky_detect(text, extra=()):
        if "BOOM" in text:
            raise RuntimeError("detector crashed")
        return real_detect(text, extra)

    def broken_csv_reader(text, where, stem, options):
        raise ValueError("reader crashed")
        yield  # pragma: no cover

    monkeypatch.setattr(lang, "detect_language", flaky_detect)
    monkeypatch.setitem(readers._READERS, "csv", broken_csv_reader)
    (tmp_path / "a.txt").write_text(GOOD + " BOOM", encoding="utf-8")
    (tmp_path / "b.csv").write_text(f"text\n{GOOD}\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text(GOOD, encoding="utf-8")
    docs = read(tmp_path)
    assert [(d.doc_id, d.status) for d in docs] == [("a", "failed"), ("b", "failed"), ("c", "ok")]
    assert docs[0].reason == "SR100 unexpected error: RuntimeError: detector crashed"
    assert docs[1].reason == "SR100 unexpected error: ValueError: reader crashed"


def test_text_without_any_word_fails_sr111(tmp_path):
    f = tmp_path / "noise.html"
    f.write_bytes(b"<<<>>><html<<body>>>" * 5)
    assert_failed(single(f, min_text_chars=1), "SR111")
