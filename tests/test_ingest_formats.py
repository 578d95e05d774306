"""Every input format read through the public API: sitrep.ingest.read_paths(paths, options)."""
from __future__ import annotations

import shutil
from pathlib import Path

from sitrep.ingest import read_paths
from sitrep.models import text_hash
from sitrep.options import Options

DATA = Path(__file__).parent / "data" / "ingest"


def read(*paths, **options):
    return list(read_paths([Path(p) for p in paths], Options(**options)))


def by_id(docs):
    return {d.doc_id: d for d in docs}


def test_txt_id_is_file_name_without_extension_and_text_is_cleaned():
    (doc,) = read(DATA / "wire_site_a.txt")
    assert doc.doc_id == "wire_site_a"
    assert doc.status == "ok" and doc.reason is None
    assert doc.lang == "en" and doc.encoding == "utf-8"
    assert doc.text.startswith("Ukrainian troops push deeper into Kherson region\n\nKYIV, Oct 4 (Reuters) -")
    assert doc.content_hash == text_hash(doc.text)
    assert doc.path.endswith("wire_site_a.txt") and doc.meta["format"] == "txt"


def test_html_gives_main_text_title_date_outlet_and_url():
    (doc,) = read(DATA / "wire_site_b.html")
    assert doc.doc_id == "wire_site_b" and doc.status == "ok"
    assert doc.title == "Ukrainian troops push deeper into Kherson region"
    assert doc.outlet == "The Daily Example"
    assert doc.url == "https://daily.example.com/world/ukraine-kherson-advance"
    assert (doc.published, doc.published_source) == ("2022-10-04", "file")
    assert "retaking a string of villages along the Dnipro River" in doc.text
    for chrome in ("Share this article", "Advertisement", "Getty Images", "Read more", "newsletter",
                   "Privacy policy", "uses cookies", "©"):
        assert chrome not in doc.text


def test_same_wire_copy_in_two_site_wrappers_cleans_to_the_same_body():
    (a,) = read(DATA / "wire_site_a.txt")
    (b,) = read(DATA / "wire_site_b.html")
    assert a.text == b.text
    assert a.content_hash == b.content_hash


def test_jsonl_rows_use_id_field_else_stem_and_row_number():
    docs = by_id(read(DATA / "wire_rows.jsonl"))
    assert list(docs) == ["wire-001", "wire_rows-2", "wire_rows-3", "wire-004", "wire-005"]
    first = docs["wire-001"]
    assert first.status == "ok"
    assert (first.title, first.url, first.outlet) == (
        "Ukraine retakes Lyman", "https://wire.example.org/lyman", "Example Wire")
    assert (first.published, first.published_source) == ("2022-10-01", "file")
    second = docs["wire_rows-2"]  # HTML content, link, pubDate, outlet given as an object
    assert second.text == ("The Kyiv city council said it was supplying evacuation centres with potassium "
                           "iodide pills.\n\nThe pills would only be handed out if residents had to leave "
                           "contaminated areas.")
    assert second.url == "https://wire.example.org/iodine" and second.outlet == "Example Wire"
    assert second.published == "2022-10-04"
    assert docs["wire-005"].published == "2022-10-04" and docs["wire-005"].meta["line"] == 6


def test_json_array_and_object_with_article_list():
    docs = by_id(read(DATA / "array.json", DATA / "newsapi.json"))
    assert list(docs) == ["arr-1", "array-2", "newsapi"]
    assert docs["arr-1"].title == "Russia's upper house ratifies annexation"
    assert docs["arr-1"].text.startswith("The upper house of Russia's parliament voted")
    assert docs["array-2"].outlet == "Example Daily" and docs["array-2"].published == "2022-10-04"
    news = docs["newsapi"]
    assert news.status == "ok" and news.outlet == "Example Times"
    assert news.url == "https://times.example.net/village" and "Novopetrivka" in news.text


def test_csv_rows_with_multiline_quoted_text():
    docs = by_id(read(DATA / "table.csv"))
    first = docs["csv-1"]
    assert first.status == "ok"
    assert first.text == ("Ukrainian troops entered Lyman on Saturday.\nOfficials said Russian forces had "
                          "withdrawn from the town, a rail hub in the Donetsk region.")
    assert (first.title, first.url, first.outlet, first.published) == (
        "Lyman retaken", "https://csv.example.org/1", "Example CSV News", "2022-10-01")
    assert docs["csv-4"].status == "ok" and "Dudchany" in docs["csv-4"].text
    assert docs["csv-4"].published is None  # 04/10/2022: day-first or month-first cannot be told


def test_csv_with_semicolons_and_a_text_column_named_body(tmp_path):
    f = tmp_path / "export.csv"
    f.write_text("Title;Body;Date;Source\nLyman;Ukrainian troops entered the town of Lyman on Saturday, "
                 "officials said.;2022-10-01;Example\n", encoding="utf-8")
    (doc,) = read(f)
    assert doc.doc_id == "export-1" and doc.status == "ok"
    assert (doc.title, doc.published, doc.outlet) == ("Lyman", "2022-10-01", "Example")


def test_rss_entries_give_content_link_date_and_hashed_guid_ids():
    docs = read(DATA / "feed.rss")
    assert [d.status for d in docs] == ["ok", "ok", "failed"]
    first, second, empty = docs
    assert first.doc_id.startswith("feed-") and len(first.doc_id) == len("feed-") + 10
    assert first.title == "Ukraine says troops advance along Dnipro"
    assert first.url == "https://feed.example.com/dnipro-advance"
    assert first.outlet == "Example World News"
    assert (first.published, first.published_source) == ("2022-10-04", "file")
    # content:encoded beats the short description; HTML stripped; caption and ad gone
    assert first.text == ("Ukrainian forces recaptured several villages along the Dnipro River on Monday, "
                          "according to the southern command.\n\nThe command said the advance had pushed "
                          "the front line back by up to 20 kilometres.")
    assert second.text.startswith("Kremlin spokesman Dmitry Peskov said")  # summary when no content
    assert empty.reason.startswith("SR113")


def test_atom_entry():
    (doc,) = read(DATA / "feed.atom")
    assert doc.status == "ok" and doc.outlet == "Example Atom Wire"
    assert doc.url == "https://atom.example.org/annexation-laws" and doc.published == "2022-10-05"
    assert doc.text == ("Russian President Vladimir Putin signed laws on Wednesday formalising the annexation "
                        "of four regions of Ukraine.\n\nKyiv and its allies have rejected the move as illegal.")


def test_unknown_extensions_are_sniffed_as_text_html_json_or_feed(tmp_path):
    shutil.copy(DATA / "dispatch_from_kyiv", tmp_path / "dispatch_from_kyiv")
    shutil.copy(DATA / "saved_page.download", tmp_path / "saved_page.download")
    shutil.copy(DATA / "newsapi.json", tmp_path / "api_dump.out")
    shutil.copy(DATA / "feed.atom", tmp_path / "wire.feed")
    docs = by_id(read(tmp_path))
    assert docs["dispatch_from_kyiv"].meta["sniffed_as"] == "txt"
    assert docs["saved_page"].meta["sniffed_as"] == "html"
    assert docs["saved_page"].title == "Ukrainian troops push deeper into Kherson region"
    assert docs["api_dump"].meta["sniffed_as"] == "json" and docs["api_dump"].outlet == "Example Times"
    (atom,) = [d for d in docs.values() if d.doc_id.startswith("wire-")]
    assert atom.meta["sniffed_as"] == "feed" and atom.status == "ok"
    assert all(d.status == "ok" for d in docs.values())


def test_non_utf8_text_is_decoded_and_the_encoding_recorded(tmp_path):
    text = ("Ukrainian forces said the café in Kharkiv – a “landmark” – was hit overnight, "
            "and that the blast damaged nearby homes.")
    (tmp_path / "cp1252.txt").write_bytes(text.encode("cp1252"))
    (tmp_path / "utf16.txt").write_bytes(text.encode("utf-16"))
    docs = by_id(read(tmp_path))
    assert docs["cp1252"].text == text and docs["cp1252"].encoding not in (None, "utf-8")
    assert docs["utf16"].text == text and docs["utf16"].encoding == "utf-16"


def test_html_declared_charset_is_used_when_not_utf8(tmp_path):
    body = "<p>Українські війська звільнили кілька сіл на півдні країни, повідомили у командуванні.</p>" * 3
    page = f'<html><head><meta charset="windows-1251"><title>Новини</title></head><body>{body}</body></html>'
    (tmp_path / "uk.html").write_bytes(page.encode("cp1251"))
    (doc,) = read(tmp_path / "uk.html")
    assert doc.encoding == "cp1251"
    assert doc.status == "skipped" and doc.reason == "SR112 not English (uk)"
    assert "Українські війська" in doc.text


def test_folders_are_read_recursively_in_sorted_order_and_path_order_is_kept(tmp_path):
    sentence = "Ukrainian forces reported new gains in the south on Tuesday, officials said."
    for rel in ("b/2.txt", "b/1.txt", "a/z.txt", "a/sub/y.txt", ".hidden/x.txt", "a/.DS_Store"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(f"{sentence} ({rel})", encoding="utf-8")
    single = tmp_path / "single.txt"
    single.write_text(sentence, encoding="utf-8")
    docs = read(single, tmp_path / "b", tmp_path / "a")
    assert [Path(d.path).relative_to(tmp_path).as_posix() for d in docs] == [
        "single.txt", "b/1.txt", "b/2.txt", "a/sub/y.txt", "a/z.txt"]


def test_ids_are_deterministic_and_unique_within_a_run(tmp_path):
    for sub in ("one", "two"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "report.txt").write_text(
            f"Ukrainian forces reported new gains in the south on Tuesday ({sub}).", encoding="utf-8")
    first = [d.doc_id for d in read(tmp_path, DATA / "feed.rss")]
    second = [d.doc_id for d in read(tmp_path, DATA / "feed.rss")]
    assert first == second
    assert first[:2] == ["report", "report-2"]
    assert len(set(first)) == len(first)


def test_the_same_file_named_twice_is_read_once():
    docs = read(DATA / "wire_site_a.txt", DATA / "wire_site_a.txt")
    assert [d.doc_id for d in docs] == ["wire_site_a"]


def test_outlet_and_published_options_apply_only_where_the_document_has_none():
    docs = by_id(read(DATA / "wire_site_a.txt", DATA / "wire_site_b.html",
                      outlet="Cmdline Outlet", published="2022-10-06"))
    assert docs["wire_site_a"].outlet == "Cmdline Outlet"
    assert (docs["wire_site_a"].published, docs["wire_site_a"].published_source) == ("2022-10-06", "option")
    assert docs["wire_site_b"].outlet == "The Daily Example"
    assert (docs["wire_site_b"].published, docs["wire_site_b"].published_source) == ("2022-10-04", "file")


def test_read_paths_streams_documents_lazily(tmp_path):
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text("Ukrainian forces reported new gains in the south on Tuesday.",
                                           encoding="utf-8")
    stream = read_paths([tmp_path], Options())
    assert next(stream).doc_id == "0"
    (tmp_path / "2.txt").unlink()  # files are opened only when their turn comes
    rest = list(stream)
    assert [d.doc_id for d in rest] == ["1", "2"]
    assert rest[1].status == "failed" and rest[1].reason.startswith("SR101")


def test_document_record_has_contract_fields():
    (doc,) = read(DATA / "wire_site_b.html")
    record = doc.to_record()
    for key in ("type", "doc_id", "path", "title", "outlet", "published", "lang", "status", "reason", "text"):
        assert key in record
    assert record["type"] == "document" and record["status"] == "ok"


def test_plain_text_starting_with_a_bracket_is_not_taken_for_json(tmp_path):
    f = tmp_path / "bulletin"
    f.write_text("[Updated] Ukrainian forces recaptured several villages along the Dnipro River on Monday, "
                 "officials said.", encoding="utf-8")
    (doc,) = read(f)
    assert doc.status == "ok" and doc.meta["sniffed_as"] == "txt"
    assert doc.text.startswith("[Updated] Ukrainian forces")
