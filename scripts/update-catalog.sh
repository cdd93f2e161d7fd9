#!/usr/bin/env bash
# Update the gettext catalogs after adding or changing fixed strings in the code or the templates.
#
# 1. Extracts every fixed string of seguimiento/*.py (`self._("...")`, `fmt._(...)`) and of
#    templates/*.j2 (`_("...")`, `{% trans %}...{% endtrans %}`), as configured in babel.cfg, into
#    the template templates/locale/messages.pot (sorted, without source locations, so the diff
#    only shows real changes; when no string changed, the file is left as it was).
# 2. Merges the template into the Spanish catalog templates/locale/es/LC_MESSAGES/messages.po
#    (creating it the first time), without fuzzy guesses: new strings arrive with an empty msgstr,
#    strings no longer used are kept at the end as obsolete (#~) entries.
#
# Then translate the entries whose msgstr is empty; tests/test_i18n.py checks that none is missing
# and that the catalog is up to date with the code. Note: a `_()` call inside an f-string is not
# extracted (Python 3.11); compute the translated text before the f-string.
#
# Usage (from anywhere): scripts/update-catalog.sh   — uses the project's .venv when it exists.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ -x .venv/bin/pybabel ]; then
  PYBABEL=.venv/bin/pybabel
else
  PYBABEL=pybabel
fi

LOCALE_DIR=templates/locale
POT="$LOCALE_DIR/messages.pot"
LANGUAGE=es
PO="$LOCALE_DIR/$LANGUAGE/LC_MESSAGES/messages.po"

previous=""
if [ -f "$POT" ]; then
  previous="$(mktemp)"
  trap 'rm -f "$previous"' EXIT
  cp "$POT" "$previous"
fi

"$PYBABEL" extract -F babel.cfg -o "$POT" --no-location --sort-output \
  --project seguimiento --version 0.1.0 .

# Only the creation date changed: keep the previous template (and so the .po header) unchanged.
if [ -n "$previous" ] &&
  cmp -s <(grep -v '^"POT-Creation-Date:' "$previous") <(grep -v '^"POT-Creation-Date:' "$POT"); then
  cp "$previous" "$POT"
fi

if [ -f "$PO" ]; then
  "$PYBABEL" update -i "$POT" -d "$LOCALE_DIR" -l "$LANGUAGE" --no-fuzzy-matching
else
  "$PYBABEL" init -i "$POT" -d "$LOCALE_DIR" -l "$LANGUAGE"
fi
