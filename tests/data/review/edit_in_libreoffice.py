"""Make tests/data/review/reviewed-libreoffice.docx: a draft really edited by LibreOffice.

Not part of the test run (it needs LibreOffice's own Python, `python3-uno`): it documents how the
committed fixture was made, in three steps:

1. this script opens the DOCX draft in LibreOffice through UNO, switches change tracking on,
   inserts words after the caption of article 9's indicator table, deletes others, and saves as
   Word 2007-365 .docx (LibreOffice writes the tracked changes);
2. a reviewer's comment is added to that file with python-docx (headless LibreOffice 7.4 crashes
   when a document with comments gets change tracking or an annotation through UNO);
3. `soffice --headless --convert-to docx` saves it once more, so LibreOffice writes the comment too.

    soffice --headless --accept="socket,host=127.0.0.1,port=2002;urp;" &
    /usr/bin/python3 tests/data/review/edit_in_libreoffice.py DRAFT.docx STEP1.docx
"""

import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


def connect():
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    for _ in range(60):
        try:
            return resolver.resolve(
                "uno:socket,host=127.0.0.1,port=2002;urp;StarOffice.ComponentContext"
            )
        except Exception:  # noqa: BLE001 - LibreOffice still starting
            time.sleep(0.5)
    raise SystemExit("LibreOffice did not answer on port 2002")


def main(source: str, target: str) -> None:
    context = connect()
    desktop = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.Desktop", context
    )
    document = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),)
    )
    document.RecordChanges = True
    search = document.createSearchDescriptor()
    search.SearchString = "Indicadores del artículo 9"
    found = document.findFirst(search)
    if found is None:
        raise SystemExit("the caption of article 9's indicator table was not found")
    found.getText().insertString(found.getEnd(), " (datos de 2025)", False)
    search.SearchString = "Contratos publicados"
    word = document.findFirst(search)
    if word is not None:
        word.setString("Contratos")
    document.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", "MS Word 2007 XML"),))
    document.close(True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
