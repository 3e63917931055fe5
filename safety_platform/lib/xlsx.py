"""Excel workbooks (.xlsx) written as a stream in constant memory, with every text cell an inline string.

A value a person typed is always written as text (`t="inlineStr"`), never as a formula, so a title starting with
`=`, `+`, `-` or `@` shows as typed and nothing runs when the file is opened. Numbers stay numbers and booleans
booleans. The file is a ZIP written to a sink that cannot seek, so zipfile uses data descriptors and nothing is held
back: the first bytes go out before the last row is read. Used by the hazard ledger and the checklist export.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

BATCH = 500

# XML escapes, and the control characters XML 1.0 forbids dropped, in one translation table.
_XML_TEXT = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        **{chr(c): None for c in [*range(9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF]},
    }
)


class _Sink:
    """A write-only file for zipfile: what is written is collected until the stream takes it."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
    '</fill><fill><patternFill patternType="solid"><fgColor rgb="FFE8EEF4"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _workbook(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{title[:31].translate(_XML_TEXT)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _sheet_head(widths: Sequence[float], frozen: int) -> str:
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    pane = (
        f'<pane ySplit="{frozen}" topLeftCell="A{frozen + 1}" activePane="bottomLeft" state="frozen"/>'
        if frozen
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + "<sheetData>"
    )


def cell(value, style: str = "") -> str:
    """One cell of sheet XML; text is escaped in a single str.translate (a million rows pass through here)."""
    if value.__class__ is str:
        if not value:
            return "<c/>"
        return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{value.translate(_XML_TEXT)}</t></is></c>'
    if value is None:
        return "<c/>"
    if isinstance(value, bool):
        return f'<c t="b"{style}><v>{int(value)}</v></c>'
    if isinstance(value, int | Decimal | float):
        return f"<c{style}><v>{value}</v></c>"
    return cell(str(value), style)


def stream(
    rows: Iterable[list], title: str, head: Sequence[Sequence] = (), widths: Sequence[float] = ()
) -> Iterator[bytes]:
    """The workbook's bytes as they are written: `head` rows in bold and frozen at the top, then `rows`."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", _workbook(title))
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/styles.xml", STYLES)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            header = "".join("<row>" + "".join(cell(h, ' s="1"') for h in row) + "</row>" for row in head)
            sheet.write((_sheet_head(widths, len(head)) + header).encode())
            yield sink.take()
            batch: list[str] = []
            for row in rows:
                batch.append("<row>" + "".join(map(cell, row)) + "</row>")
                if len(batch) == BATCH:
                    sheet.write("".join(batch).encode())
                    batch = []
                    yield sink.take()
            sheet.write(("".join(batch) + "</sheetData></worksheet>").encode())
    yield sink.take()


def workbook(rows: Iterable[list], title: str, head: Sequence[Sequence] = (), widths: Sequence[float] = ()) -> bytes:
    """The whole workbook at once, for small sheets."""
    return b"".join(stream(rows, title, head, widths))
