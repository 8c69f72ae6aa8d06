"""The diff model: git-format unified diffs with all their edge cases."""

from __future__ import annotations

import pytest

from reviewer.core.changeset import FileStatus
from reviewer.core.diff import parse_diff, parse_file_patch
from reviewer.errors import DiffError

NEW_FILE = b"""diff --git a/pkg/new.py b/pkg/new.py
new file mode 100644
index 0000000..1111111
--- /dev/null
+++ b/pkg/new.py
@@ -0,0 +1,3 @@
+import os
+
+print(os.getcwd())
"""

MODIFIED_TWO_HUNKS = b"""diff --git a/lib.py b/lib.py
index 1111111..2222222 100644
--- a/lib.py
+++ b/lib.py
@@ -1,4 +1,5 @@
 def a():
-    return 1
+    x = 2
+    return x
 
 def b():
@@ -20,3 +21,4 @@ def c():
     pass
 
 def d():
+    return 4
"""

RENAME_AND_MODE = b"""diff --git a/old name.sh b/bin/new name.sh
old mode 100644
new mode 100755
similarity index 90%
rename from old name.sh
rename to bin/new name.sh
index 1111111..2222222
--- a/old name.sh
+++ b/bin/new name.sh
@@ -1,2 +1,2 @@
 #!/bin/sh
-echo old
+echo new
diff --git a/tool.sh b/tool.sh
old mode 100644
new mode 100755
"""

DELETED_AND_BINARY = b"""diff --git a/gone.py b/gone.py
deleted file mode 100644
index 1111111..0000000
--- a/gone.py
+++ /dev/null
@@ -1,2 +0,0 @@
-print(1)
-print(2)
diff --git a/assets/payload.bin b/assets/payload.bin
new file mode 100644
index 0000000..3333333
Binary files /dev/null and b/assets/payload.bin differ
"""

NO_NEWLINE_CRLF = (
    b"diff --git a/win.txt b/win.txt\r\n"
    b"index 1111111..2222222 100644\r\n"
    b"--- a/win.txt\r\n"
    b"+++ b/win.txt\r\n"
    b"@@ -1 +1,2 @@\r\n"
    b"-old\r\n"
    b"+new line\r\n"
    b"+last\r\n"
    b"\\ No newline at end of file\r\n"
)

NOT_UTF8 = (
    b"diff --git a/latin1.c b/latin1.c\n"
    b"index 1111111..2222222 100644\n"
    b"--- a/latin1.c\n"
    b"+++ b/latin1.c\n"
    b"@@ -1 +1,2 @@\n"
    b" /* caf\xe9 */\n"
    b'+char *s = "\xff\xfe";\n'
)

GIT_BINARY_PATCH = b"""diff --git a/blob.so b/blob.so
new file mode 100755
index 0000000000000000000000000000000000000000..4444444444444444444444444444444444444444
GIT binary patch
literal 12
TcmZ?wbhEHbZ_ixF_n*2^

literal 0
HcmV?d00001

diff --git a/after.py b/after.py
new file mode 100644
index 0000000..5555555
--- /dev/null
+++ b/after.py
@@ -0,0 +1 @@
+x = 1
"""

QUOTED_PATH = (
    b'diff --git "a/caf\\303\\251 \\"q\\".py" "b/caf\\303\\251 \\"q\\".py"\n'
    b"new file mode 100644\n"
    b"index 0000000..1111111\n"
    b"--- /dev/null\n"
    b'+++ "b/caf\\303\\251 \\"q\\".py"\n'
    b"@@ -0,0 +1 @@\n"
    b"+y = 2\n"
)


def test_new_file_lines_map_to_post_image():
    cs = parse_diff(NEW_FILE)
    (f,) = cs.files
    assert f.path == "pkg/new.py"
    assert f.status is FileStatus.ADDED
    assert f.added == {1: "import os", 2: "", 3: "print(os.getcwd())"}
    assert cs.added_lines == 3


def test_modified_file_maps_every_added_line_across_hunks():
    (f,) = parse_diff(MODIFIED_TWO_HUNKS).files
    assert f.status is FileStatus.MODIFIED
    assert f.added == {2: "    x = 2", 3: "    return x", 24: "    return 4"}
    assert f.removed == ("    return 1",)
    assert f.in_hunk(22) and not f.in_hunk(10)


def test_post_image_from_hunks_keeps_line_numbers_and_whole_statements():
    (f,) = parse_diff(MODIFIED_TWO_HUNKS).files
    lines = f.post_image().splitlines()
    assert lines[0] == "def a():"
    assert lines[2] == "    return x"
    assert lines[23] == "    return 4"
    assert lines[10] == ""  # a gap the diff does not show


def test_rename_with_spaces_and_mode_change():
    cs = parse_diff(RENAME_AND_MODE)
    renamed, mode_only = cs.files
    assert renamed.status is FileStatus.RENAMED
    assert renamed.path == "bin/new name.sh" and renamed.old_path == "old name.sh"
    assert renamed.mode_changed and renamed.new_mode == "100755"
    assert renamed.added == {2: "echo new"}
    assert mode_only.path == "tool.sh" and mode_only.mode_changed and not mode_only.added


def test_deleted_and_binary_files():
    gone, binary = parse_diff(DELETED_AND_BINARY).files
    assert gone.status is FileStatus.DELETED and gone.path == "gone.py" and not gone.added
    assert (
        binary.binary and binary.status is FileStatus.ADDED and binary.path == "assets/payload.bin"
    )


def test_crlf_and_no_newline_marker():
    (f,) = parse_diff(NO_NEWLINE_CRLF).files
    assert f.added == {1: "new line", 2: "last"}


def test_bytes_that_are_not_utf8_survive():
    (f,) = parse_diff(NOT_UTF8).files
    assert f.undecodable
    text = f.added[2]
    assert text.encode("utf-8", "surrogateescape") == b'char *s = "\xff\xfe";'


def test_git_binary_patch_payload_is_not_parsed_as_text():
    blob, after = parse_diff(GIT_BINARY_PATCH).files
    assert blob.binary and blob.path == "blob.so"
    assert after.added == {1: "x = 1"}


def test_quoted_path_with_unicode_and_quotes():
    (f,) = parse_diff(QUOTED_PATH).files
    assert f.path == 'café "q".py'


def test_empty_diff_is_an_empty_changeset():
    assert len(parse_diff(b"")) == 0
    assert len(parse_diff(b"\n\n")) == 0


@pytest.mark.parametrize(
    "data", [b"hello world\nthis is not a diff\n", b"\x00\x01\x02binary\x00" * 10]
)
def test_not_a_diff_is_a_clear_error(data):
    with pytest.raises(DiffError) as err:
        parse_diff(data, source="input.bin")
    assert "input.bin" in str(err.value)
    assert "git diff" in err.value.diagnostics()


def test_truncated_hunk_is_a_clear_error():
    bad = b"diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n+only one line\n"
    with pytest.raises(DiffError):
        parse_diff(bad)


def test_github_patch_without_patch_text_is_diffed_from_contents():
    f = parse_file_patch("a.py", None, head_text="x\ny = 2\nz\n", base_text="x\nz\n")
    assert f.added == {2: "y = 2"}


def test_github_patch_hunks_only():
    f = parse_file_patch("a.py", "@@ -1,2 +1,3 @@\n x\n+y = 1\n z", status="modified")
    assert f.added == {2: "y = 1"} and f.in_hunk(2)


def test_line_separators_inside_a_line_do_not_break_the_diff():
    odd = "x = '\u2028' + '\x0c' + '\x85' + '\x1e' + 'a\rb'"
    data = (
        f"diff --git a/odd.py b/odd.py\nnew file mode 100644\n--- /dev/null\n+++ b/odd.py\n"
        f"@@ -0,0 +1,2 @@\n+{odd}\n+exec(payload)\n"
    ).encode()
    (f,) = parse_diff(data).files
    assert f.added == {1: odd, 2: "exec(payload)"}
