"""Hostile XLSX workbooks for the spreadsheet-limit tests.

Each is a real zip that openpyxl would open: the parts a workbook needs, a first worksheet and a
shared-strings table. A part is given as segments (bytes, times repeated), so a sheet of twenty
million empty rows is never held whole: each segment is deflated once, ending on a full flush,
and its compressed form repeated, which is a valid deflate stream of the repeated text and
takes milliseconds where deflating it all would take seconds.
"""

from __future__ import annotations

import struct
import zipfile
import zlib

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{MAIN}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{MAIN}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{MAIN}.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>
<sheet name="Cases" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""

HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>crn</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>provider</t></is></c></row>'
)

Segments = list[tuple[bytes, int]]


def sheet(rows: Segments, dimension: str | None = None) -> Segments:
    """A worksheet: the dimension (if any), then the rows given as (XML, times)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
    if dimension:
        head += f'<dimension ref="{dimension}"/>'
    return [((head + "<sheetData>").encode(), 1), *rows, (b"</sheetData></worksheet>", 1)]


def shared_strings(strings: Segments = ()) -> Segments:
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'.encode()
    return [(head, 1), *strings, (b"</sst>", 1)]


def _deflate(segments: Segments) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, unpacked size) of the segments."""
    compressed, crc, size = [], 0, 0
    for text, times in segments:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        block = packer.compress(text) + packer.flush(zlib.Z_FULL_FLUSH)
        compressed.append(block * times)
        for _ in range(times):
            crc = zlib.crc32(text, crc)
        size += len(text) * times
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressed.append(packer.flush(zlib.Z_FINISH))  # the final, empty block
    return b"".join(compressed), crc, size


def workbook(
    sheet_xml: Segments,
    strings_xml: Segments | None = None,
    declared_sizes: dict[str, int] | None = None,
) -> bytes:
    """The zip, its parts deflated; `declared_sizes` has a part's headers lie about its size."""
    parts = {
        "[Content_Types].xml": [(CONTENT_TYPES.encode(), 1)],
        "_rels/.rels": [(ROOT_RELS.encode(), 1)],
        "xl/workbook.xml": [(WORKBOOK.encode(), 1)],
        "xl/_rels/workbook.xml.rels": [(WORKBOOK_RELS.encode(), 1)],
        "xl/worksheets/sheet1.xml": sheet_xml,
        "xl/sharedStrings.xml": strings_xml or shared_strings(),
    }
    body, directory = [], []
    offset = 0
    for name, segments in parts.items():
        data, crc, size = _deflate(segments)
        size = (declared_sizes or {}).get(name, size)
        encoded = name.encode()
        header = struct.pack(
            zipfile.structFileHeader,
            zipfile.stringFileHeader,
            20,
            0,
            0,
            zipfile.ZIP_DEFLATED,
            0,
            0x21,
            crc,
            len(data),
            size,
            len(encoded),
            0,
        )
        body += [header, encoded, data]
        directory.append(
            struct.pack(
                zipfile.structCentralDir,
                zipfile.stringCentralDir,
                20,
                3,
                20,
                0,
                0,
                zipfile.ZIP_DEFLATED,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
        offset += len(header) + len(encoded) + len(data)
    central = b"".join(directory)
    end = struct.pack(
        zipfile.structEndArchive,
        zipfile.stringEndArchive,
        0,
        0,
        len(parts),
        len(parts),
        len(central),
        offset,
        0,
    )
    return b"".join(body) + central + end
