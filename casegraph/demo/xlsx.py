"""Make an openpyxl-written workbook byte-reproducible.

openpyxl stamps the save time into `docProps/core.xml` and into every zip entry's
header; both are replaced with a fixed time here.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
FIXED_ISO_TIME = b"2024-01-01T00:00:00Z"
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def normalise_xlsx(src: Path, dest: Path) -> None:
    """Copy `src` to `dest` with fixed timestamps and entry metadata."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", allowZip64=True) as zout:
        for info in zin.infolist():
            out = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            out.compress_type = zipfile.ZIP_DEFLATED
            out.external_attr = 0o600 << 16
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>" + FIXED_ISO_TIME + rb"\g<2>", zin.read(info))
                zout.writestr(out, data)
                continue
            with (
                zin.open(info) as fin,
                zout.open(out, "w", force_zip64=info.file_size > (1 << 31)) as fout,
            ):
                shutil.copyfileobj(fin, fout, 1 << 20)
