"""The catalogue of contraindications a clinic starts with (docs/clinic-rules.md,
"Contraindications"), named in the clinic's language.

The names are stored rather than translated when shown, because staff search them, edit
them and add their own beside them. So each is an English message id, marked here for the
translation catalogues, and written in the clinic's ``LANGUAGE_CODE`` when seeded.

The data migrations call these functions with their historical model: keep them to the
model's plain fields and manager.
"""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_noop

ABSOLUTE, TEMPORARY, LOCAL = "absolute", "temporary", "local"

# (code, name, kind). The code never changes and names the entry to the code and the tests.
CATALOGUE = [
    # Until resolved: massage can start once they pass.
    (
        "exacerbation-osteochondrosis",
        # Translators: a contraindication to massage, stored in the clinic's language
        # when its database is made; write it as the clinic's medical practice names it.
        gettext_noop("Acute stage or exacerbation of osteochondrosis"),
        TEMPORARY,
    ),
    ("exacerbation-chronic-disease", gettext_noop("Exacerbation of a chronic disease"), TEMPORARY),
    ("fever", gettext_noop("Fever of any cause"), TEMPORARY),
    ("influenza-cold", gettext_noop("Influenza or a cold"), TEMPORARY),
    ("acute-inflammation", gettext_noop("Acute inflammatory or purulent process"), TEMPORARY),
    ("allergic-reaction", gettext_noop("Allergic reaction"), TEMPORARY),
    ("bleeding", gettext_noop("Bleeding, including menstruation"), TEMPORARY),
    (
        "lymph-node-inflammation",
        gettext_noop("Inflammation of regional lymph nodes or vessels"),
        TEMPORARY,
    ),
    # Absolute: no massage.
    ("bronchial-asthma", gettext_noop("Bronchial asthma"), ABSOLUTE),
    ("hypertension", gettext_noop("Hypertension"), ABSOLUTE),
    ("angina", gettext_noop("Angina"), ABSOLUTE),
    ("severe-cardiovascular-disease", gettext_noop("Severe cardiovascular disease"), ABSOLUTE),
    ("active-tuberculosis", gettext_noop("Active tuberculosis"), ABSOLUTE),
    ("syphilis-venereal-disease", gettext_noop("Syphilis or an acute venereal disease"), ABSOLUTE),
    ("malignant-neoplasm", gettext_noop("Malignant neoplasm or tumour of any site"), ABSOLUTE),
    ("fibroids-adenomas", gettext_noop("Fibroids or adenomas"), ABSOLUTE),
    ("thrombosis", gettext_noop("Thrombosis"), ABSOLUTE),
    ("vein-inflammation", gettext_noop("Vein inflammation (phlebitis)"), ABSOLUTE),
    ("varicose-disease", gettext_noop("Varicose disease"), ABSOLUTE),
    ("blood-disease", gettext_noop("Blood disease"), ABSOLUTE),
    ("aneurysm", gettext_noop("Aneurysm"), ABSOLUTE),
    ("poor-blood-coagulation", gettext_noop("Poor blood coagulation (no cupping)"), ABSOLUTE),
    ("osteomyelitis", gettext_noop("Osteomyelitis"), ABSOLUTE),
    # Local: the area is avoided, the session goes on elsewhere.
    ("skin-disease-in-area", gettext_noop("Skin disease in the area"), LOCAL),
    ("skin-lesion-in-area", gettext_noop("Skin lesions or cracks in the area"), LOCAL),
    ("pustular-fungal-lesion", gettext_noop("Pustular or fungal lesion in the area"), LOCAL),
    (
        "moles-warts-birthmarks",
        gettext_noop("Large moles, warts or birthmarks in the area"),
        LOCAL,
    ),
    ("varicose-veins-in-area", gettext_noop("Varicose veins in the area"), LOCAL),
]
CODES = [code for code, _name, _kind in CATALOGUE]


def catalogue_names(*, language: str) -> dict[str, str]:
    """Each entry's name in this language, by code (the English where it has none)."""
    with translation.override(language):
        return {code: translation.gettext(name) for code, name, _kind in CATALOGUE}


def contraindications_seed(*, model: type[models.Model]) -> None:
    """Add the entries missing from the catalogue, named in the clinic's language; an entry
    already there (by its code) is left as it is."""
    names = catalogue_names(language=settings.LANGUAGE_CODE)
    for code, _name, kind in CATALOGUE:
        model.objects.get_or_create(code=code, defaults={"name": names[code], "kind": kind})


def contraindications_rename(*, model: type[models.Model]) -> int:
    """Name the seeded entries in the clinic's language; returns how many were renamed.

    Only an entry whose name is still exactly one the seed gives it, in any language the
    product speaks, is renamed: a name staff have changed is theirs. An entry is also left
    when another already bears the new name (staff may have added it themselves), as the
    names are unique.
    """
    wanted = catalogue_names(language=settings.LANGUAGE_CODE)
    seeded = {code: set() for code in CODES}
    for language, _label in settings.LANGUAGES:
        for code, name in catalogue_names(language=language).items():
            seeded[code].add(name)
    taken = set(model.objects.values_list("name", flat=True))
    renamed = 0
    for entry in model.objects.filter(code__in=CODES).order_by("pk"):
        name = wanted[entry.code]
        if entry.name == name or entry.name not in seeded[entry.code] or name in taken:
            continue
        taken.discard(entry.name)
        taken.add(name)
        entry.name = name
        entry.save(update_fields=["name"])
        renamed += 1
    return renamed
