"""Static checks of an Odoo add-on's files, run by scripts/test.

- every XML file of the add-on parses;
- every file the manifest lists (data, demo, assets) exists;
- every XML/CSV under data/ views/ security/ report/ wizards/ is listed in the
  manifest (a forgotten file silently does nothing in Odoo);
- the French translation is complete: every msgid of the .pot template has a
  non-empty msgstr in fr.po.
"""

import ast
import re
import sys
from pathlib import Path
from xml.etree import ElementTree

LISTED_FOLDERS = ("data", "views", "security", "report", "wizards")


def manifest_of(addon):
    return ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))


def check_xml(addon):
    for path in sorted(addon.rglob("*.xml")):
        try:
            ElementTree.parse(path)
        except ElementTree.ParseError as error:
            yield f"{path}: XML does not parse: {error}"


def check_manifest_files(addon, manifest):
    listed = set()
    for key in ("data", "demo"):
        for name in manifest.get(key, []):
            listed.add(name)
            if not (addon / name).is_file():
                yield f"manifest '{key}' lists {name}, which does not exist"
    for bundle, files in manifest.get("assets", {}).items():
        for name in files:
            pattern = name if isinstance(name, str) else name[-1]
            relative = pattern.split("/", 1)[1] if "/" in pattern else pattern
            if not list(addon.glob(relative)):
                yield f"asset bundle {bundle} lists {pattern}, which matches no file"
    for folder in LISTED_FOLDERS:
        for path in sorted((addon / folder).rglob("*")):
            if path.suffix in (".xml", ".csv"):
                name = path.relative_to(addon).as_posix()
                if name not in listed:
                    yield f"{name} is not listed in the manifest"


def po_entries(path):
    """Yield (msgid, msgstr) pairs of a .po/.pot file (plural forms included)."""
    text = path.read_text(encoding="utf-8")
    for block in re.split(r"\n\s*\n", text):
        msgid = _joined(block, "msgid")
        if msgid is None or msgid == "":
            continue
        msgstr = _joined(block, "msgstr")
        if msgstr is None:
            msgstr = _joined(block, r"msgstr\[0\]")
        yield msgid, msgstr or ""


def _joined(block, keyword):
    match = re.search(rf'^{keyword} ((?:".*"\n?)+)', block + "\n", re.MULTILINE)
    if not match:
        return None
    return "".join(re.findall(r'"(.*)"', match.group(1)))


def check_translations(addon):
    pot = addon / "i18n" / f"{addon.name}.pot"
    french = addon / "i18n" / "fr.po"
    if not pot.is_file() or not french.is_file():
        yield f"i18n/{addon.name}.pot and i18n/fr.po are required"
        return
    translated = dict(po_entries(french))
    missing = [msgid for msgid, _ in po_entries(pot) if not translated.get(msgid)]
    for msgid in missing[:50]:
        yield f"fr.po: no French translation for {msgid!r}"
    if len(missing) > 50:
        yield f"fr.po: ... and {len(missing) - 50} more untranslated terms"


def main(argv):
    addon = Path(argv[1]).resolve()
    manifest = manifest_of(addon)
    problems = [
        *check_xml(addon),
        *check_manifest_files(addon, manifest),
        *check_translations(addon),
    ]
    for problem in problems:
        print(problem)
    print(f"add-on files: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
