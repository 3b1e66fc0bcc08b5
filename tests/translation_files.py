"""Translation catalogues made by a test, so that it checks how a string is translated
whatever the project's own catalogue holds."""

import struct
from pathlib import Path


def write_mo(path: Path, messages: dict[str, str]) -> None:
    """A compiled gettext catalogue, laid out as GNU msgfmt writes it (no hash table)."""
    messages = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    ids, strs, index = b"", b"", []
    for msgid in sorted(messages):
        key, value = msgid.encode(), messages[msgid].encode()
        index.append((len(key), len(ids), len(value), len(strs)))
        ids += key + b"\0"
        strs += value + b"\0"
    count, header = len(index), 7 * 4
    ids_at = header + 16 * count
    strs_at = ids_at + len(ids)
    table = [n for length, at, _v, _s in index for n in (length, ids_at + at)]
    table += [n for _k, _i, length, at in index for n in (length, strs_at + at)]
    path.parent.mkdir(parents=True)
    path.write_bytes(
        struct.pack("<7I", 0x950412DE, 0, count, header, header + 8 * count, 0, 0)
        + struct.pack(f"<{4 * count}I", *table)
        + ids
        + strs
    )
