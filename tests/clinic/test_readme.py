import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_the_settings_read_is_in_the_readme_table():
    settings = (ROOT / "clinic" / "settings.py").read_text()
    read = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', settings))
    table = "\n".join(
        line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("|")
    )

    missing = sorted(name for name in read if f"`{name}`" not in table)

    assert read, "no variables found: the pattern no longer matches settings.py"
    assert not missing
