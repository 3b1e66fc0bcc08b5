"""The catalogue of contraindications (docs/clinic-rules.md, "Contraindications").

Kept in a migration so every database, including the test one, has the whole list.
Staff may add to it in the admin; re-running only fills in what is missing.
"""

from django.db import migrations

ABSOLUTE, TEMPORARY, LOCAL = "absolute", "temporary", "local"

CATALOGUE = [
    # Until resolved: massage can start once they pass.
    ("exacerbation-osteochondrosis", "Acute stage or exacerbation of osteochondrosis", TEMPORARY),
    ("exacerbation-chronic-disease", "Exacerbation of a chronic disease", TEMPORARY),
    ("fever", "Fever of any cause", TEMPORARY),
    ("influenza-cold", "Influenza or a cold", TEMPORARY),
    ("acute-inflammation", "Acute inflammatory or purulent process", TEMPORARY),
    ("allergic-reaction", "Allergic reaction", TEMPORARY),
    ("bleeding", "Bleeding, including menstruation", TEMPORARY),
    ("lymph-node-inflammation", "Inflammation of regional lymph nodes or vessels", TEMPORARY),
    # Absolute: no massage.
    ("bronchial-asthma", "Bronchial asthma", ABSOLUTE),
    ("hypertension", "Hypertension", ABSOLUTE),
    ("angina", "Angina", ABSOLUTE),
    ("severe-cardiovascular-disease", "Severe cardiovascular disease", ABSOLUTE),
    ("active-tuberculosis", "Active tuberculosis", ABSOLUTE),
    ("syphilis-venereal-disease", "Syphilis or an acute venereal disease", ABSOLUTE),
    ("malignant-neoplasm", "Malignant neoplasm or tumour of any site", ABSOLUTE),
    ("fibroids-adenomas", "Fibroids or adenomas", ABSOLUTE),
    ("thrombosis", "Thrombosis", ABSOLUTE),
    ("vein-inflammation", "Vein inflammation (phlebitis)", ABSOLUTE),
    ("varicose-disease", "Varicose disease", ABSOLUTE),
    ("blood-disease", "Blood disease", ABSOLUTE),
    ("aneurysm", "Aneurysm", ABSOLUTE),
    ("poor-blood-coagulation", "Poor blood coagulation (no cupping)", ABSOLUTE),
    ("osteomyelitis", "Osteomyelitis", ABSOLUTE),
    # Local: the area is avoided, the session goes on elsewhere.
    ("skin-disease-in-area", "Skin disease in the area", LOCAL),
    ("skin-lesion-in-area", "Skin lesions or cracks in the area", LOCAL),
    ("pustular-fungal-lesion", "Pustular or fungal lesion in the area", LOCAL),
    ("moles-warts-birthmarks", "Large moles, warts or birthmarks in the area", LOCAL),
    ("varicose-veins-in-area", "Varicose veins in the area", LOCAL),
]


def seed(apps, schema_editor):
    Contraindication = apps.get_model("patients", "Contraindication")
    for code, name, kind in CATALOGUE:
        Contraindication.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})


def unseed(apps, schema_editor):
    Contraindication = apps.get_model("patients", "Contraindication")
    Contraindication.objects.filter(
        code__in=[code for code, _, _ in CATALOGUE], records__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
