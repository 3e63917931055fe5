"""Excel workbooks (.xlsx) written as a stream in constant memory, with every text cell an inline string.

A value a person typed is always written as text (`t="inlineStr"`), never as a formula, so a title starting with
`=`, `+`, `-` or `@` shows as typed and nothing runs when the file is opened. Numbers stay numbers and booleans
booleans; a datetime (naive, local wall time) or a date is an Excel date cell (a serial number with a date format),
so it sorts and filters as a date. Optionally a banner row above the header (merged across the columns) and an
autofilter on the header row over all the rows. The file is a ZIP written to a sink that cannot seek, so zipfile
uses data descriptors and nothing is held back: the first bytes go out before the last row is read. Used by the
hazard ledger and the checklist export.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
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
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="等线"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/></font><font><b/><sz val="14"/><name val="等线"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
    '</fill><fill><patternFill patternType="solid"><fgColor rgb="FFE8EEF4"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


DATETIME_STYLE, DATE_STYLE, BANNER_STYLE = ' s="2"', ' s="3"', ' s="4"'
EXCEL_EPOCH = date(1899, 12, 30).toordinal()  # day 0 of Excel's 1900 date system (as 1900-03-01 on)


def column_letter(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA."""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _workbook(title: str, filter_ref: str = "") -> str:
    name = title[:31].translate(_XML_TEXT)
    quoted = name.replace("'", "''")
    defined = (
        f'<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"'{quoted}'!{filter_ref}</definedName></definedNames>"
        if filter_ref
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>{defined}</workbook>'
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
    if isinstance(value, datetime):  # before date: a datetime is a date
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return f"<c{style or DATETIME_STYLE}><v>{value.toordinal() - EXCEL_EPOCH + seconds / 86400!r}</v></c>"
    if isinstance(value, date):
        return f"<c{style or DATE_STYLE}><v>{value.toordinal() - EXCEL_EPOCH}</v></c>"
    return cell(str(value), style)


def stream(
    rows: Iterable[list],
    title: str,
    head: Sequence[Sequence] = (),
    widths: Sequence[float] = (),
    banner: str = "",
    autofilter: bool = False,
) -> Iterator[bytes]:
    """The workbook's bytes as they are written: a `banner` row (large, bold, merged across the columns), the `head`
    rows in bold, both frozen at the top, then `rows`; with `autofilter`, a filter on the last head row over every
    row below it (its range is known at the end, which is where the sheet and the workbook part say it)."""
    sink = _Sink()
    columns = max([len(widths), *(len(row) for row in head)], default=1) or 1
    top = 1 if banner else 0
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/styles.xml", STYLES)
        count = 0
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            header = f"<row>{cell(banner, BANNER_STYLE)}</row>" if banner else ""
            header += "".join("<row>" + "".join(cell(h, ' s="1"') for h in row) + "</row>" for row in head)
            sheet.write((_sheet_head(widths, top + len(head)) + header).encode())
            yield sink.take()
            batch: list[str] = []
            for row in rows:
                batch.append("<row>" + "".join(map(cell, row)) + "</row>")
                count += 1
                if len(batch) == BATCH:
                    sheet.write("".join(batch).encode())
                    batch = []
                    yield sink.take()
            last = column_letter(columns)
            filter_ref = ""
            tail = "".join(batch) + "</sheetData>"
            if autofilter and head:
                first_row = top + len(head)
                filter_ref = f"$A${first_row}:${last}${first_row + count}"
                tail += f'<autoFilter ref="A{first_row}:{last}{first_row + count}"/>'
            if banner:
                tail += f'<mergeCells count="1"><mergeCell ref="A1:{last}1"/></mergeCells>'
            sheet.write((tail + "</worksheet>").encode())
        book.writestr("xl/workbook.xml", _workbook(title, filter_ref))
    yield sink.take()


def workbook(rows: Iterable[list], title: str, head: Sequence[Sequence] = (), widths: Sequence[float] = ()) -> bytes:
    """The whole workbook at once, for small sheets."""
    return b"".join(stream(rows, title, head, widths))


# --- accidents (#18, figures): a small workbook of several sheets -------------------------------------------------


@dataclass
class Sheet:
    """One sheet of `sheets`: its tab's title, rows, bold header rows, column widths and a banner row above."""

    title: str
    rows: Sequence[Sequence]
    head: Sequence[Sequence] = ()
    widths: Sequence[float] = ()
    banner: str = ""


def sheets(parts: Sequence[Sheet]) -> bytes:
    """A workbook of several small sheets at once (the accident statistics, one sheet per dimension); each sheet as
    `stream` writes its one, with the banner merged across the columns and the header rows frozen."""
    sink = _Sink()
    n = len(parts)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    types = CONTENT_TYPES.replace(
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>',
        overrides,
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n + 1)
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{rels}<Relationship Id="rId{n + 1}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    names = "".join(
        f'<sheet name="{part.title[:31].translate(_XML_TEXT)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, part in enumerate(parts, 1)
    )
    book_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{names}</sheets></workbook>"
    )
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", types)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        book.writestr("xl/styles.xml", STYLES)
        book.writestr("xl/workbook.xml", book_xml)
        for i, part in enumerate(parts, 1):
            columns = max([len(part.widths), *(len(row) for row in part.head)], default=1) or 1
            top = 1 if part.banner else 0
            body = f"<row>{cell(part.banner, BANNER_STYLE)}</row>" if part.banner else ""
            body += "".join("<row>" + "".join(cell(h, ' s="1"') for h in row) + "</row>" for row in part.head)
            body += "".join("<row>" + "".join(map(cell, row)) + "</row>" for row in part.rows)
            tail = "</sheetData>"
            if part.banner:
                tail += f'<mergeCells count="1"><mergeCell ref="A1:{column_letter(columns)}1"/></mergeCells>'
            sheet = _sheet_head(part.widths, top + len(part.head)) + body + tail + "</worksheet>"
            book.writestr(f"xl/worksheets/sheet{i}.xml", sheet)
    return sink.take()
