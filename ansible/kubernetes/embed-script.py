#!/usr/bin/env python3
"""Copies roles/realserver/files/lvs-realserver-vips into the DaemonSet's ConfigMap, so the two never
differ (ansible/test.sh fails when they do). Run after editing the script."""
import pathlib
import re

here = pathlib.Path(__file__).resolve().parent
script = (here.parent / "roles/realserver/files/lvs-realserver-vips").read_text()
manifest = here / "lvs-realserver-daemonset.yaml"
text = manifest.read_text()
block = "  lvs-realserver-vips: |\n" + "".join(
    ("    " + line if line.strip() else "\n") if line.endswith("\n") else "    " + line + "\n"
    for line in script.splitlines(keepends=True))
text, n = re.subn(r"  lvs-realserver-vips: \|\n(?:(?:    .*)?\n)*?(?=---\n)", lambda _: block, text)
assert n == 1, "ConfigMap key lvs-realserver-vips not found"
manifest.write_text(text)
