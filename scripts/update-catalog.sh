#!/usr/bin/env bash
# Update the gettext catalogs after adding or changing fixed strings in the code or the templates.
#
# 1. Extracts every fixed string of seguimiento/*.py (`self._("...")`, `fmt._(...)`) and of
#    templates/*.j2 (`_("...")`, `{% trans %}...{% endtrans %}`), as configured in babel.cfg, into
#    the template templates/locale/messages.pot (sorted, without source locations, so the diff
#    only shows real changes).
# 2. Merges the template into the Spanish catalog templates/locale/es/LC_MESSAGES/messages.po
#    (creating it the first time), without fuzzy guesses: new strings arrive with an empty msgstr.
#
# Then translate the new (empty) entries of the .po file; tests/test_i18n.py checks that none is
# missing and that the catalog is up to date with the code.
#
# Run from anywhere: `scripts/update-catalog.sh`. Uses the project's .venv when it exists.
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

"$PYBABEL" extract -F babel.cfg -o "$POT" --no-location --sort-output \
  --project seguimiento --version 0.1.0 .

if [ -f "$LOCALE_DIR/$LANGUAGE/LC_MESSAGES/messages.po" ]; then
  "$PYBABEL" update -i "$POT" -d "$LOCALE_DIR" -l "$LANGUAGE" --no-fuzzy-matching
else
  "$PYBABEL" init -i "$POT" -d "$LOCALE_DIR" -l "$LANGUAGE"
fi
