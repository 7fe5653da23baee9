#!/usr/bin/python3
# test-a11y.py: the running app as a screen reader meets it, through AT-SPI.
#
# Starts keyferry with GTK's AT-SPI backend on (the rest of the suite runs
# with GTK_A11Y=none), in the test session's private D-Bus (at-spi2-core's
# bus launcher is activated on demand) and Xvfb display, with a store of one
# key pair and one connection. Then walks the accessible tree of the main
# window (both pages) and of the dialogs its header buttons open (the row
# menu is left out: GTK 4.18 exposes its items with no name at all, to be
# looked at separately):
#  - every interactive control has a name;
#  - no name carries a mnemonic underscore ("_Cancel");
#  - table rows are not named after GTK's widget class;
# and the app logs no CRITICAL meanwhile. Prints TAP.
#
# Copyright 2026 The Keyferry authors
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import pyatspi
except ImportError:
    print("1..1")
    print("not ok 1 - python3-pyatspi is not installed (tools/install-deps.sh installs it)")
    sys.exit(1)

BUILD = os.environ["KF_BUILD_DIR"]
SCALE = max(1, min(20, int(os.environ.get("KF_TEST_TIMEOUT_SCALE", "1") or 1)))

# libatspi waits 0.8 s for an answer by default; an app built with the
# sanitizers takes longer to walk its widget tree.
try:
    from gi.repository import Atspi
    Atspi.set_timeout(5000 * SCALE, 60000 * SCALE)
except (ImportError, AttributeError):
    pass
INTERACTIVE = {
    pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_TEXT,
    pyatspi.ROLE_ENTRY, pyatspi.ROLE_PASSWORD_TEXT, pyatspi.ROLE_COMBO_BOX,
    pyatspi.ROLE_CHECK_BOX, pyatspi.ROLE_MENU_ITEM, pyatspi.ROLE_SPIN_BUTTON,
    pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_LINK, pyatspi.ROLE_PAGE_TAB,
    pyatspi.ROLE_SLIDER, pyatspi.ROLE_TABLE_ROW,
}
MNEMONIC = re.compile(r"(?:^|\s)_[^\s_]")

results = []


def check(desc, ok, detail=""):
    results.append((desc, ok, detail))


def wait_for(what, fn, seconds=20):
    deadline = time.monotonic() + seconds * SCALE
    while time.monotonic() < deadline:
        try:
            value = fn()
        except Exception:
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise TimeoutError("timed out waiting for " + what)


def find_app():
    desktop = pyatspi.Registry.getDesktop(0)
    for app in desktop:
        if app is not None and app.name == "keyferry":
            return app
    return None


def windows(app):
    return [w for w in app if w is not None]


def window_named(app, name):
    for w in windows(app):
        if w.name == name:
            return w
    return None


def descendants(acc):
    for child in acc:
        if child is None:
            continue
        yield child
        yield from descendants(child)


def find(root, role, name):
    for acc in descendants(root):
        try:
            if acc.getRole() == role and acc.name == name:
                return acc
        except Exception:
            continue
    return None


def audit(title, root):
    unnamed, leaked, classy = [], [], []
    n = 0
    for acc in descendants(root):
        try:
            role = acc.getRole()
            name = acc.name or ""
        except Exception:
            continue
        if role not in INTERACTIVE:
            continue
        n += 1
        chain, p = [], acc.parent
        while p is not None and len(chain) < 4:
            chain.append(p.name or p.getRoleName())
            p = p.parent
        where = f"{acc.getRoleName()} under “{' ‹ '.join(chain)}”"
        if not name.strip():
            unnamed.append(where)
        elif MNEMONIC.search(name):
            leaked.append(f"{where}: “{name}”")
        elif name.startswith("Gtk") or name.startswith("Adw"):
            classy.append(f"{where}: “{name}”")
    check(f"{title}: {n} interactive controls, every one named", n > 0 and not unnamed,
          "\n".join(unnamed) if n else "no interactive control found")
    check(f"{title}: no mnemonic underscore in a name", not leaked, "\n".join(leaked))
    check(f"{title}: no control named after its widget class", not classy, "\n".join(classy))


def press(root, role, name):
    try:
        acc = wait_for(f"“{name}”", lambda: find(root, role, name))
    except TimeoutError:
        seen = sorted({a.name for a in descendants(root) if a.getRole() == role})
        raise TimeoutError(f"no {pyatspi.Role(role)} named “{name}”; there are: {seen}")
    action = acc.queryAction()
    for i in range(action.nActions):
        if action.getName(i) in ("click", "press", "activate"):
            action.doAction(i)
            return
    action.doAction(0)


def walk_dialog(app, window, button, title):
    """Opens a dialog with @button of @window, walks it, closes it with Cancel."""
    press(window, pyatspi.ROLE_PUSH_BUTTON, button)
    dialog = wait_for(title, lambda: window_named(app, title))
    time.sleep(0.5)  # let it map every page before reading it
    audit(title, dialog)
    press(dialog, pyatspi.ROLE_PUSH_BUTTON, "Cancel")
    wait_for(title + " to close", lambda: window_named(app, title) is None)


def run(argv, env):
    return subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


def main():
    tmp = tempfile.mkdtemp(prefix="kf-a11y-")
    env = dict(os.environ)
    for k in ("data", "config", "cache"):
        os.makedirs(os.path.join(tmp, k))
    env.update(XDG_DATA_HOME=os.path.join(tmp, "data"), XDG_CONFIG_HOME=os.path.join(tmp, "config"),
               XDG_CACHE_HOME=os.path.join(tmp, "cache"), GSK_RENDERER="cairo")
    env.pop("NO_AT_BRIDGE", None)
    env["GTK_A11Y"] = "atspi"
    env.pop("G_DEBUG", None)

    cli = os.path.join(BUILD, "src", "cli", "keyferry-cli")
    r = run([cli, "keypair", "generate", "Office Key", "--type", "ed25519"], env)
    check("a key pair for the lists (keyferry-cli keypair generate)", r.returncode == 0, r.stderr)

    log = open(os.path.join(tmp, "app.log"), "w+")
    app_proc = subprocess.Popen([os.path.join(BUILD, "src", "ui", "keyferry")], env=env,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        app = wait_for("keyferry on the accessibility bus", find_app)
        main_window = wait_for("the main window", lambda: window_named(app, "Keyferry"))
        wait_for("the Add button", lambda: find(main_window, pyatspi.ROLE_PUSH_BUTTON, "Add Connection")
                 or find(main_window, pyatspi.ROLE_PUSH_BUTTON, "Add Key Pair"))
        audit("main window, SSH Connections", main_window)

        walk_dialog(app, main_window, "Add Connection", "Add SSH Connection")

        tab = wait_for("the SSH Keypairs tab",
                       lambda: find(main_window, pyatspi.ROLE_PAGE_TAB, "SSH Keypairs")
                       or find(main_window, pyatspi.ROLE_TOGGLE_BUTTON, "SSH Keypairs"))
        tab.queryAction().doAction(0)
        wait_for("the key pairs page", lambda: find(main_window, pyatspi.ROLE_PUSH_BUTTON, "Add Key Pair"))
        time.sleep(0.5)
        audit("main window, SSH Keypairs", main_window)

        walk_dialog(app, main_window, "Add Key Pair", "Add Key Pair")
    except Exception as e:  # a step that could not be taken fails the test
        check("walk the app", False, repr(e))
    finally:
        app_proc.terminate()
        try:
            app_proc.wait(timeout=10 * SCALE)
        except subprocess.TimeoutExpired:
            app_proc.kill()
        log.seek(0)
        text = log.read()
        log.close()
        # CRITICALs are the app's bugs (an empty cell's NULL text was one).
        # GTK's own warnings are not checked here: GTK 4.24 under Xvfb logs
        # "gdk_frame_timings_submitted() called on submitted frame" by timing.
        bad = [line for line in text.splitlines() if "CRITICAL" in line]
        check("the app logged no CRITICAL", not bad, "\n".join(bad[:20]))
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"1..{len(results)}")
    for i, (desc, ok, detail) in enumerate(results, 1):
        for line in (detail or "").splitlines():
            print("# " + line)
        print(f"{'ok' if ok else 'not ok'} {i} - {desc}")
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
