"""Adding a document: its text extracted, normalized like the seeds, cataloged, recorded.

Formats: plain text (UTF-8, or GB18030 as Chinese offices still save it), ``.docx``
(python-docx: paragraphs and table cells), ``.pdf`` with a text layer (pypdf), ``.html``
(the standard library's parser; scripts and styles dropped, block elements end a line).
The extracted text becomes the seed file (``NNN_<sha256[:16]>.txt``, like the five
shipped ones) with a catalog entry listing the normalization steps that apply
(traditional script → ``to_simplified``; lines a PDF broke → ``rejoin_lines``). The new
corpus is loaded from a copy of the seeds folder first (the one loader's checks), then the
change is recorded and the files are written in the same transaction: the document is
searchable, readable and linkable at once (the corpus is keyed on the seeds' snapshot).
"""

from __future__ import annotations

import hashlib
import html.parser
import io
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor_map.core.vocab import CORRIDORS
from corridor_map.curation.store import Change, CurationError, Store
from corridor_map.documents.corpus import KINDS, load_corpus
from corridor_map.documents.normalize import STEPS, clean_lines, to_simplified
from corridor_map.geo.geojson import LayerWriteError, read_json, write_all_atomically

__all__ = ["DOCUMENT_SUFFIXES", "NewDocument", "add_document", "extract_text"]

DOCUMENT_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
#: words in a document that name a corridor (to fill ``corridors`` when not given).
_CORRIDOR_NAMES = {
    "taizhou-bay": ("台州湾科创走廊",),
    "wenzhou-daluo": ("环大罗山科创走廊", "大罗山科创走廊"),
    "wenling-lakes": ("东部湖区", "温岭"),
}
_BLOCKS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "table", "ul", "ol", "title", "header", "footer", "blockquote", "pre",
}  # fmt: skip


class DocumentError(CurationError):
    """A document that cannot be added; the message names the file and the reason."""


@dataclass(frozen=True)
class NewDocument:
    """The catalog metadata of a document being added (as the document itself gives it)."""

    title: str
    issuer: str
    date: str
    title_en: str | None = None
    number: str | None = None
    corridors: tuple[str, ...] = ()
    kind: str = "plan"
    doc_id: str | None = None


class _Text(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        del attrs
        if tag in {"script", "style", "noscript", "template"}:
            self._skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "noscript", "template"}:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(f"{name}: 不是 UTF-8 或 GB18030 文本 / not UTF-8 or GB18030 text")


def extract_text(data: bytes, name: str) -> tuple[str, str]:
    """The text of a document file and its format.

    Raises
    ------
    DocumentError
        Unsupported ending, unreadable file, or a PDF without a text layer.
    """
    suffix = Path(name).suffix.lower()
    if suffix in {".txt", ".md"}:
        return _decode(data, name), "text"
    if suffix in {".html", ".htm"}:
        parser = _Text()
        parser.feed(_decode(data, name))
        parser.close()
        return "".join(parser.parts), "html"
    if suffix == ".docx":
        import docx

        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # python-docx raises several types for a broken package
            raise DocumentError(f"{name}: 无法读取 .docx / unreadable .docx ({exc})") from None
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                lines.append("\t".join(cell.text for cell in row.cells))
        return "\n".join(lines), "docx"
    if suffix == ".pdf":
        import pypdf

        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            pages = [page.extract_text() or "" for page in reader.pages]
        except Exception as exc:  # pypdf's errors vary by the damage
            raise DocumentError(f"{name}: 无法读取 PDF / unreadable PDF ({exc})") from None
        text = "\n".join(pages)
        if not text.strip():
            raise DocumentError(
                f"{name}: PDF 没有文字层（扫描件需先 OCR） / the PDF has no text layer "
                "(a scan needs OCR first)"
            )
        return text, "pdf"
    raise DocumentError(
        f"{name}: 不支持的格式 / unsupported format; use {', '.join(DOCUMENT_SUFFIXES)}"
    )


def _steps(text: str, fmt: str) -> tuple[list[str], str]:
    """The normalization steps that change this text, and its script."""
    steps = []
    script = "zh-Hans"
    if to_simplified(text) != text:
        steps.append("to_simplified")
        script = "zh-Hant"
    if fmt == "pdf" and STEPS["rejoin_lines"]("\n".join(clean_lines(text)))[1] > 0:
        steps.append("rejoin_lines")
    return steps, script


def _corridors(given: tuple[str, ...], text: str, name: str) -> list[str]:
    if given:
        unknown = [c for c in given if c not in CORRIDORS]
        if unknown:
            raise DocumentError(f"--corridor {unknown[0]!r}: not one of {', '.join(CORRIDORS)}")
        return list(dict.fromkeys(given))
    found = [c for c, names in _CORRIDOR_NAMES.items() if any(n in text for n in names)]
    if not found:
        raise DocumentError(
            f"{name}: the text names no corridor; give --corridor ({', '.join(CORRIDORS)})"
        )
    return found


def _catalog_text(original: str, entry: dict[str, Any]) -> str:
    """The catalog with ``entry`` appended, the rest of the file's bytes unchanged."""
    body = json.dumps(entry, ensure_ascii=False, indent=2)
    block = "\n".join("    " + line for line in body.splitlines())
    head, sep, tail = original.rstrip().rpartition("]")
    if not sep:
        raise DocumentError("seeds/catalog.json: no 'documents' list to append to")
    return head.rstrip() + ",\n" + block + "\n  " + sep + tail + "\n"


def add_document(
    store: Store,
    seeds: Path,
    path: Path,
    meta: NewDocument,
    *,
    author: str,
    reason: str,
) -> Change:
    """Add ``path`` to the corpus in ``seeds``; return the recorded change.

    Raises
    ------
    DocumentError
        The file or its metadata is refused (named); nothing is written.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}: 无法读取 / cannot read: {exc.strerror}") from None
    raw, fmt = extract_text(data, Path(path).name)
    text = "\n".join(clean_lines(raw.replace("\r\n", "\n").replace("\r", "\n"))) + "\n"
    if not text.strip():
        raise DocumentError(f"{path}: 没有文字 / no text")
    if meta.kind not in KINDS:
        raise DocumentError(f"--kind {meta.kind!r}: not one of {', '.join(KINDS)}")
    steps, script = _steps(text, fmt)
    encoded = text.encode("utf-8")
    digest = hashlib.sha256(encoded).hexdigest()
    catalog_path = seeds / "catalog.json"
    catalog, error = read_json(catalog_path)
    if error is not None or not isinstance(catalog, dict):
        raise DocumentError(f"{catalog_path}: {error or 'not an object'}")
    documents = catalog.get("documents") or []
    if any(d.get("sha256") == digest for d in documents if isinstance(d, dict)):
        raise DocumentError(f"{path}: 该文件已在目录中 / this document is already cataloged")
    doc_id = meta.doc_id or f"doc-{meta.date[:4]}-{digest[:8]}"
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", doc_id):
        raise DocumentError(f"--id {doc_id!r}: must be a slug (a-z, 0-9, hyphens)")
    if any(d.get("id") == doc_id for d in documents if isinstance(d, dict)):
        raise DocumentError(f"--id {doc_id!r}: already a document id")
    seed_file = f"{len(documents):03d}_{digest[:16]}.txt"
    entry = {
        "id": doc_id,
        "seed_file": seed_file,
        "sha256": digest,
        "title": meta.title,
        "title_en": meta.title_en,
        "issuer": meta.issuer,
        "date": {"iso": meta.date, "text": meta.date},
        "doc_number": meta.number,
        "kind": meta.kind,
        "corridors": _corridors(meta.corridors, text, Path(path).name),
        "script": script,
        "normalize": steps,
        "notes": f"Added with corridor-map docs add from {Path(path).name} ({fmt}); the seed "
        "is the text extracted from it.",
    }
    catalog_text = _catalog_text(catalog_path.read_text("utf-8"), entry)
    with tempfile.TemporaryDirectory(prefix="corridor-map-seeds-") as tmp:
        folder = Path(tmp)
        for item in seeds.iterdir():
            if item.name != "catalog.json":
                (folder / item.name).symlink_to(item.resolve())
        (folder / seed_file).write_bytes(encoded)
        (folder / "catalog.json").write_text(catalog_text, "utf-8")
        try:
            corpus = load_corpus(folder)
        except CurationError:
            raise
        except Exception as exc:  # CorpusError names the file and field
            raise DocumentError(f"修改未保存 / document refused: {exc}") from None
        paragraphs = len(corpus.document(doc_id).paragraphs)
    with store.writing():
        change = store.record(
            kind="document",
            author=author,
            reason=reason,
            source=f"{Path(path).name} sha256:{hashlib.sha256(data).hexdigest()[:16]}",
            feature=None,
            before=None,
            after={"entry": entry, "paragraphs": paragraphs, "text": text},
            states=[],
        )
        try:
            write_all_atomically({seeds / seed_file: text, catalog_path: catalog_text})
        except LayerWriteError as exc:
            raise DocumentError(str(exc)) from None
    return change
