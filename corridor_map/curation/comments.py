"""Comments on a feature, a document paragraph or a point on the map, open or resolved.

Comments are kept apart from the curated data: their own tables in the store's database,
written only here, never a feature's state (a comment changes nothing on the map). Both
tables are append-only: ``comments`` holds what was said, ``comment_events`` every
resolve and reopen with who, when and why; a comment's status is its latest event.

Every function that writes takes the :class:`~corridor_map.core.roles.User` the server
resolved and checks it itself (:func:`corridor_map.core.roles.require`). Comment texts
are user input: render them only through :func:`as_markdown` / :func:`as_html`, which
escape them with :mod:`corridor_map.core.markup`.
"""

from __future__ import annotations

from dataclasses import dataclass

from corridor_map.core.markup import inert, md_escape
from corridor_map.core.roles import PermissionRefusedError, Role, User, can, require
from corridor_map.core.vocab import REGION
from corridor_map.curation.db import Database, now_utc
from corridor_map.curation.store import CurationError

__all__ = [
    "MAX_COMMENT_CHARS",
    "Comment",
    "CommentError",
    "Target",
    "add_comment",
    "as_html",
    "as_markdown",
    "comments",
    "ensure_comment_tables",
    "reopen_comment",
    "resolve_comment",
]

#: the longest comment accepted (a comment is a remark, not a document).
MAX_COMMENT_CHARS = 4000
TARGET_KINDS = ("feature", "paragraph", "point")

_SQLITE = """
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('feature', 'paragraph', 'point')),
    target TEXT NOT NULL,
    author TEXT NOT NULL,
    author_label TEXT NOT NULL,
    time TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS comments_target ON comments(target_kind, target, id);
CREATE TABLE IF NOT EXISTS comment_events (
    id INTEGER PRIMARY KEY,
    comment INTEGER NOT NULL REFERENCES comments(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    author TEXT NOT NULL,
    time TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS comment_events_comment ON comment_events(comment, id)
"""
_POSTGRES = """
CREATE TABLE IF NOT EXISTS comments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('feature', 'paragraph', 'point')),
    target TEXT NOT NULL,
    author TEXT NOT NULL,
    author_label TEXT NOT NULL,
    time TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS comments_target ON comments(target_kind, target, id);
CREATE TABLE IF NOT EXISTS comment_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    comment BIGINT NOT NULL REFERENCES comments(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    author TEXT NOT NULL,
    time TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS comment_events_comment ON comment_events(comment, id)
"""
_LOCK = "corridor-map comments"


class CommentError(CurationError):
    """A comment that cannot be made or changed; the message names the field."""


@dataclass(frozen=True)
class Target:
    """What a comment is about.

    Use :meth:`feature`, :meth:`paragraph` or :meth:`point`; ``key`` is the stored form
    (a feature id, ``DOC#PARAGRAPH``, ``LON,LAT`` with 6 decimals).
    """

    kind: str
    key: str

    @classmethod
    def feature(cls, feature_id: str) -> Target:
        """A curated feature, by id."""
        if not feature_id.strip():
            raise CommentError("feature: 要素编号为空 / the feature id is empty")
        return cls("feature", feature_id.strip())

    @classmethod
    def paragraph(cls, doc_id: str, paragraph_id: str) -> Target:
        """A paragraph of a document of the corpus."""
        if not doc_id.strip() or not paragraph_id.strip() or "#" in doc_id:
            raise CommentError(
                "paragraph: 需要文件编号与段落编号 / a document id and a paragraph id are needed"
            )
        return cls("paragraph", f"{doc_id.strip()}#{paragraph_id.strip()}")

    @classmethod
    def point(cls, lon: float, lat: float) -> Target:
        """A point on the map (WGS84), inside the mapped region."""
        lon_min, lat_min, lon_max, lat_max = REGION
        if not (lon_min <= lon <= lon_max and lat_min <= lat <= lat_max):
            raise CommentError(
                f"point: {lon:.6f},{lat:.6f} 不在地图范围内 / is outside the mapped region "
                f"({lon_min}–{lon_max} E, {lat_min}–{lat_max} N)"
            )
        return cls("point", f"{lon:.6f},{lat:.6f}")


@dataclass(frozen=True)
class Comment:
    """A comment with its current status (its latest event)."""

    id: int
    target: Target
    author: str
    author_label: str
    time: str
    text: str
    status: str
    status_by: str
    status_note: str


def ensure_comment_tables(db: Database) -> None:
    """Create the comment tables if the database has none."""
    db.ensure_schema(_SQLITE, _POSTGRES)


def add_comment(db: Database, user: User | None, target: Target, text: str) -> Comment:
    """Record a comment (open) by ``user``; commenters and above only.

    Raises
    ------
    PermissionRefusedError
        Nobody signed in, or a reader.
    CommentError
        Empty or too long a text.
    """
    author = require(Role.COMMENTER, user)
    body = text.strip()
    if not body:
        raise CommentError("text: 评论为空 / the comment is empty")
    if len(body) > MAX_COMMENT_CHARS:
        raise CommentError(
            f"text: 评论过长 / the comment is longer than {MAX_COMMENT_CHARS} characters"
        )
    time = now_utc()
    with db.transaction(_LOCK):
        comment_id = db.insert(
            "INSERT INTO comments (target_kind, target, author, author_label, time, text) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (target.kind, target.key, author.author, author.label, time, body),
        )
        db.query(
            "INSERT INTO comment_events (comment, status, author, time, note) "
            "VALUES (?, 'open', ?, ?, '')",
            (comment_id, author.author, time),
        )
    return _one(db, comment_id)


def _set_status(
    db: Database, user: User | None, comment_id: int, status: str, note: str
) -> Comment:
    actor = require(Role.COMMENTER, user)
    with db.transaction(_LOCK):
        current = _one(db, comment_id)
        # Commenters settle their own threads; curators settle anybody's.
        if current.author != actor.author and not can(Role.CURATOR, actor):
            raise PermissionRefusedError(Role.CURATOR, actor)
        if current.status == status:
            raise CommentError(f"comment {comment_id}: 已是 {status} / is already {status}")
        db.query(
            "INSERT INTO comment_events (comment, status, author, time, note) "
            "VALUES (?, ?, ?, ?, ?)",
            (comment_id, status, actor.author, now_utc(), note.strip()),
        )
    return _one(db, comment_id)


def resolve_comment(db: Database, user: User | None, comment_id: int, note: str = "") -> Comment:
    """Mark a comment resolved: its author, or a curator and above."""
    return _set_status(db, user, comment_id, "resolved", note)


def reopen_comment(db: Database, user: User | None, comment_id: int, note: str = "") -> Comment:
    """Reopen a resolved comment: its author, or a curator and above."""
    return _set_status(db, user, comment_id, "open", note)


_SELECT = (
    "SELECT c.id, c.target_kind, c.target, c.author, c.author_label, c.time, c.text, "
    "e.status, e.author, e.note FROM comments c JOIN comment_events e ON e.comment = c.id "
    "WHERE e.id = (SELECT max(id) FROM comment_events WHERE comment = c.id)"
)


def _row(row: tuple[object, ...]) -> Comment:
    cid, kind, key, author, label, time, text, status, by, note = row
    return Comment(
        id=int(str(cid)),
        target=Target(str(kind), str(key)),
        author=str(author),
        author_label=str(label),
        time=str(time),
        text=str(text),
        status=str(status),
        status_by=str(by),
        status_note=str(note),
    )


def _one(db: Database, comment_id: int) -> Comment:
    rows = db.query(_SELECT + " AND c.id = ?", (comment_id,))
    if not rows:
        raise CommentError(f"comment {comment_id}: 未知评论 / no such comment")
    return _row(rows[0])


def comments(
    db: Database, target: Target | None = None, status: str | None = None
) -> list[Comment]:
    """The comments (on one target, with one status), oldest first. Reading needs no role."""
    sql = _SELECT
    params: tuple[str, ...] = ()
    if target is not None:
        sql += " AND c.target_kind = ? AND c.target = ?"
        params = (target.kind, target.key)
    if status is not None:
        sql += " AND e.status = ?"
        params = (*params, status)
    return [_row(row) for row in db.query(sql + " ORDER BY c.id", params)]


def as_markdown(comment: Comment) -> str:
    """One comment as Streamlit Markdown, every user-given part escaped."""
    mark = "✓" if comment.status == "resolved" else "●"
    return (
        f"{mark} **{md_escape(comment.author_label)}** · {md_escape(comment.time)}  \n"
        f"{md_escape(comment.text)}"
    )


def as_html(comment: Comment) -> str:
    """One comment as inert HTML (for ``st.html`` or a map popup)."""
    return (
        f'<div class="comment {inert(comment.status)}"><b>{inert(comment.author_label)}</b> '
        f"<time>{inert(comment.time)}</time><p>{inert(comment.text)}</p></div>"
    )
