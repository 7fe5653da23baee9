#!/usr/bin/env python3
# check-flatpak-manifest.py
#
# Copyright 2026 The Keyferry authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest beyond what flatpak-builder can do offline.

flatpak-builder --show-manifest (run here with G_DEBUG=fatal-warnings) only
parses the manifest: it rejects unknown or mistyped fields but checks no id and
no permission, and no checksum beyond (from about 1.4.12 on) its format. A real build needs the GNOME SDK, which a
machine without network cannot fetch. So this script checks the rest:

- the app id equals the desktop file's basename, the metainfo <id> and its
  <launchable>, and the project's app_id in meson.build;
- "command" and every metainfo <provides><binary> are executables that
  `meson install` puts into bindir (from `meson introspect --installed`);
- the desktop file's Icon= is the app id, and the scalable and symbolic
  icons of that name exist and are installed;
- every archive/file source has an https URL and a sha256 (or sha512),
  every git source pins a commit or tag, a dir source stays in the tree;
- finish-args are inside an allow-list; no --filesystem=host/home and no
  --socket=session-bus/system-bus (or any other broad hole);
- the runtime is org.gnome.Platform with the matching org.gnome.Sdk.

Prints one line per problem and exits 1 if there is any, 0 otherwise.
Usage: check-flatpak-manifest.py [--source-root DIR] [--build-dir DIR] [MANIFEST]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

# Everything the app may ask for, and why (see flatpak/README.md).
ALLOWED_FINISH_ARGS = {
    "--share=network",                      # SSH and the TrueNAS API
    "--share=ipc",                          # X11 shared memory (fallback-x11)
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",                         # GL rendering in GTK 4
    "--talk-name=org.freedesktop.secrets",  # libsecret's SecretService API
}

# Never acceptable, even if someone widens the allow-list by mistake.
FORBIDDEN_PATTERNS = [
    (re.compile(r"^--filesystem=(host|host-os|host-etc|home)(:.*)?$"), "whole-disk or home access"),
    (re.compile(r"^--filesystem=~"), "home directory access"),
    (re.compile(r"^--socket=(session-bus|system-bus|x11)$"), "a bus or X11 socket without sandboxing"),
    (re.compile(r"^--device=all$"), "access to every device"),
    (re.compile(r"^--talk-name=org\.freedesktop\.Flatpak$"), "a sandbox escape"),
]

CHECKSUM_KEYS = ("sha256", "sha512")


class Checker:
    def __init__(self):
        self.problems = []

    def fail(self, message):
        self.problems.append(message)

    def expect(self, condition, message):
        if not condition:
            self.fail(message)
        return condition


def read_desktop_entry(path):
    """The [Desktop Entry] group of a desktop file, untranslated keys only."""
    entry = {}
    group = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                group = line.strip("[]")
                continue
            if group == "Desktop Entry" and "=" in line:
                key, value = line.split("=", 1)
                if "[" not in key:
                    entry[key.strip()] = value.strip()
    return entry


def meson_app_id(source_root):
    with open(os.path.join(source_root, "meson.build"), encoding="utf-8") as f:
        m = re.search(r"^app_id\s*=\s*'([^']+)'", f.read(), re.M)
    return m.group(1) if m else None


def introspect(build_dir, what):
    """meson introspect --WHAT, read from the JSON meson keeps in the build dir
    (running meson costs half a second a call)."""
    cached = os.path.join(build_dir, "meson-info", f"intro-{what}.json")
    if os.path.isfile(cached):
        with open(cached, encoding="utf-8") as f:
            return json.load(f)
    out = subprocess.run(["meson", "introspect", f"--{what}", build_dir],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def installed_files(build_dir):
    """{installed path: built or source path} from meson's own introspection."""
    return {dest: src for src, dest in introspect(build_dir, "installed").items()}


def installed_binaries(build_dir):
    options = {o["name"]: o["value"] for o in introspect(build_dir, "buildoptions")}
    bindir = os.path.join(options["prefix"], options["bindir"])
    return {os.path.basename(dest) for dest in installed_files(build_dir)
            if os.path.dirname(dest) == bindir}


def check_sources(c, module_name, sources, source_root, manifest_dir):
    c.expect(sources, f"module {module_name}: has no sources")
    for i, src in enumerate(sources):
        where = f"module {module_name}, source {i + 1}"
        kind = src.get("type")
        if kind in ("archive", "file"):
            if "url" in src:
                c.expect(src["url"].startswith("https://"),
                         f"{where}: URL is not https: {src['url']}")
                c.expect(any(k in src for k in CHECKSUM_KEYS),
                         f"{where}: a downloaded {kind} needs a sha256")
            elif "path" not in src:
                c.fail(f"{where}: {kind} source has neither url nor path")
            for k in CHECKSUM_KEYS:
                if k in src:
                    length = 64 if k == "sha256" else 128
                    c.expect(re.fullmatch(r"[0-9a-f]{%d}" % length, src[k]) is not None,
                             f"{where}: {k} is not {length} lowercase hex digits")
        elif kind == "git":
            c.expect("commit" in src or "tag" in src,
                     f"{where}: a git source must pin a commit or a tag")
            c.expect(src.get("url", "").startswith("https://"),
                     f"{where}: git URL is not https")
        elif kind == "dir":
            path = os.path.realpath(os.path.join(manifest_dir, src.get("path", "")))
            c.expect(path == os.path.realpath(source_root),
                     f"{where}: dir source should be the project tree, not {src.get('path')}")
        elif kind == "patch":
            c.expect("path" in src or "paths" in src, f"{where}: patch without a path")
        else:
            c.fail(f"{where}: source type {kind!r} is not expected here")


def check(manifest_path, source_root, build_dir):
    c = Checker()
    manifest_dir = os.path.dirname(os.path.abspath(manifest_path))

    # 1. flatpak-builder itself must accept the manifest, warnings included.
    # It creates .flatpak-builder/ in its working directory: run it in a scratch one.
    env = dict(os.environ, G_DEBUG="fatal-warnings")
    with tempfile.TemporaryDirectory(prefix="keyferry-manifest-") as scratch:
        r = subprocess.run(["flatpak-builder", "--show-manifest", os.path.abspath(manifest_path)],
                           capture_output=True, text=True, env=env, cwd=scratch)
    if not c.expect(r.returncode == 0,
                    "flatpak-builder --show-manifest rejected the manifest: "
                    + (r.stderr.strip().splitlines() or ["(no message)"])[-1]):
        return c.problems
    manifest = json.loads(r.stdout)

    app_id = manifest.get("id") or manifest.get("app-id")
    c.expect(app_id, "manifest has no id")
    c.expect(app_id == meson_app_id(source_root),
             f"manifest id {app_id} differs from meson.build's app_id {meson_app_id(source_root)}")

    # 2. Runtime and SDK.
    c.expect(manifest.get("runtime") == "org.gnome.Platform", "runtime is not org.gnome.Platform")
    c.expect(manifest.get("sdk") == "org.gnome.Sdk", "sdk is not org.gnome.Sdk")
    version = str(manifest.get("runtime-version", ""))
    c.expect(re.fullmatch(r"\d+", version) and int(version) >= 47,
             f"runtime-version {version!r} is not a current GNOME release (47 or later)")

    # 3. The ids of the desktop file and the metainfo.
    data = os.path.join(source_root, "data")
    desktop_in = os.path.join(data, f"{app_id}.desktop.in")
    metainfo_in = os.path.join(data, f"{app_id}.metainfo.xml.in")
    desktop = None
    if c.expect(os.path.isfile(desktop_in), f"no desktop file named after the app id: {desktop_in}"):
        desktop = read_desktop_entry(desktop_in)
        c.expect(desktop.get("Icon") == app_id,
                 f"desktop file Icon={desktop.get('Icon')} is not the app id")
        c.expect(desktop.get("Exec", "").split(" ")[0] == manifest.get("command"),
                 f"desktop file Exec={desktop.get('Exec')} does not start the manifest's command")
    provided = []
    if c.expect(os.path.isfile(metainfo_in), f"no metainfo named after the app id: {metainfo_in}"):
        root = ET.parse(metainfo_in).getroot()
        c.expect(root.findtext("id") == app_id,
                 f"metainfo <id>{root.findtext('id')}</id> is not the app id")
        launchable = root.find("launchable[@type='desktop-id']")
        c.expect(launchable is not None and launchable.text == f"{app_id}.desktop",
                 "metainfo <launchable type=\"desktop-id\"> is not the app id's desktop file")
        provided = [b.text for b in root.findall("provides/binary")]
        c.expect(manifest.get("command") in provided,
                 "metainfo <provides> does not list the manifest's command")

    # 4. Icons named after the app id, in the tree (installed: see 5).
    icons = os.path.join(data, "icons", "hicolor")
    c.expect(os.path.isfile(os.path.join(icons, "scalable", "apps", f"{app_id}.svg")),
             f"missing icon data/icons/hicolor/scalable/apps/{app_id}.svg")
    c.expect(os.path.isfile(os.path.join(icons, "symbolic", "apps", f"{app_id}-symbolic.svg")),
             f"missing icon data/icons/hicolor/symbolic/apps/{app_id}-symbolic.svg")

    # 5. What `meson install` puts in place, when a build dir is at hand.
    if build_dir:
        binaries = installed_binaries(build_dir)
        c.expect(manifest.get("command") in binaries,
                 f"command {manifest.get('command')!r} is not an installed binary ({sorted(binaries)})")
        for b in provided:
            c.expect(b in binaries, f"metainfo provides binary {b!r}, which is not installed")
        dests = installed_files(build_dir)
        suffixes = [f"/share/applications/{app_id}.desktop",
                    f"/share/metainfo/{app_id}.metainfo.xml",
                    f"/share/glib-2.0/schemas/{app_id}.gschema.xml",
                    "/share/icons/hicolor"]
        for suffix in suffixes:
            c.expect(any(d.endswith(suffix) for d in dests), f"nothing installs *{suffix}")

    # 6. Permissions.
    finish_args = manifest.get("finish-args", [])
    for arg in finish_args:
        for pattern, why in FORBIDDEN_PATTERNS:
            if pattern.match(arg):
                c.fail(f"finish-arg {arg} is forbidden: {why}")
        if arg not in ALLOWED_FINISH_ARGS:
            c.fail(f"finish-arg {arg} is not in the allow-list")
    c.expect(len(finish_args) == len(set(finish_args)), "finish-args has duplicates")

    # 7. Modules and their sources.
    modules = manifest.get("modules", [])
    c.expect(modules, "manifest has no modules")
    names = []
    for module in modules:
        if isinstance(module, str):
            c.fail(f"module file {module}: keep every module inline so it is checked")
            continue
        name = module.get("name", "?")
        names.append(name)
        check_sources(c, name, module.get("sources", []), source_root, manifest_dir)
    if c.expect(names and names[-1] == "keyferry", "the last module must be keyferry itself"):
        own = modules[-1]
        c.expect(own.get("buildsystem") == "meson", "keyferry must build with meson")
        c.expect("-Dtests=false" in own.get("config-opts", []),
                 "keyferry must be configured with -Dtests=false")
    return c.problems


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-root", default=os.path.dirname(here))
    parser.add_argument("--build-dir", default=None,
                        help="a configured meson build dir, to check installed binaries")
    parser.add_argument("manifest", nargs="?", default=None)
    args = parser.parse_args()
    manifest = args.manifest or os.path.join(args.source_root, "flatpak",
                                             "io.github.keyferry.Keyferry.json")
    problems = check(manifest, args.source_root, args.build_dir)
    for p in problems:
        print(f"{manifest}: {p}")
    if not problems:
        print(f"{manifest}: ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
