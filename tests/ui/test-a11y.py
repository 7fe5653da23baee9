#!/usr/bin/python3
# test-a11y.py: the running app as a screen reader meets it, through AT-SPI.
#
# Starts keyferry with GTK's AT-SPI backend on (the rest of the suite runs
# with GTK_A11Y=none), in the test session's private D-Bus (at-spi2-core's
# bus launcher is activated on demand) and Xvfb display, with a store of one
# key pair and one connection. Then walks the accessible tree of the main
# window (both pages), of its main menu and of the Keyboard Shortcuts
# window (About is libadwaita's own window, left out), of every dialog the header buttons open (Add SSH
# Connection with either setup method, Add Key Pair), of both row menus and
# what they open (Edit SSH Connection, Key Pair details, the delete
# confirmations), of the prompts of a semi-automatic setup against the fake
# TrueNAS (Untrusted Certificate, One-Time Password, Change the Login Shell?)
# and of a toast (its close button):
#  - every interactive control has a name;
#  - no name carries a mnemonic underscore ("_Cancel");
#  - table rows are not named after GTK's widget class, and a row is
#    described by its cells ("Host: nas.example.lan, …");
# and the app logs no CRITICAL meanwhile. Prints TAP.
#
# Copyright 2026 The Keyferry authors
# SPDX-License-Identifier: GPL-3.0-or-later

import json
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


def other_window(app, main_window):
    """A shown window other than @main_window, or None."""
    for w in windows(app):
        if w != main_window and w.getState().contains(pyatspi.STATE_SHOWING):
            return w
    return None


def window_named(app, name):
    for w in windows(app):
        if w.name == name:
            return w
    return None


def descendants(acc):
    """Every accessible below @acc. The tree changes while it is walked (a
    closed menu's items go away): a part that is gone is skipped."""
    try:
        children = list(acc)
    except Exception:
        return
    for child in children:
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


def newer_than_gtk_4_8():
    """False on GTK 4.8, whose own widgets are named after their class."""
    try:
        import gi
        gi.require_version("Gtk", "4.0")
        from gi.repository import Gtk
        return (Gtk.get_major_version(), Gtk.get_minor_version()) > (4, 8)
    except (ImportError, ValueError):
        return True


def audit(title, root, class_names=True, list_items=False):
    """@class_names: also fail names that are widget classes; @list_items:
    list rows count as controls too (our tables' rows; not the rows of
    GTK's own drop-down lists)."""
    unnamed, leaked, classy = [], [], []
    n = 0
    for acc in descendants(root):
        try:
            role = acc.getRole()
            name = acc.name or ""
        except Exception:
            continue
        if role not in INTERACTIVE and not (list_items and role == pyatspi.ROLE_LIST_ITEM):
            continue
        n += 1
        chain = []
        try:
            p = acc.parent
            while p is not None and len(chain) < 4:
                chain.append(p.name or p.getRoleName())
                p = p.parent
            role_name = acc.getRoleName()
        except Exception:  # its window went away meanwhile (a toast that timed out)
            role_name = str(role)
        where = f"{role_name} under “{' ‹ '.join(chain)}”"
        if not name.strip():
            unnamed.append(where)
        elif MNEMONIC.search(name):
            leaked.append(f"{where}: “{name}”")
        elif name.startswith("Gtk") or name.startswith("Adw"):
            classy.append(f"{where}: “{name}”")
    check(f"{title}: {n} interactive controls, every one named", n > 0 and not unnamed,
          "\n".join(unnamed) if n else "no interactive control found")
    check(f"{title}: no mnemonic underscore in a name", not leaked, "\n".join(leaked))
    if class_names:
        check(f"{title}: no control named after its widget class", not classy, "\n".join(classy))
    else:
        for line in classy:
            print(f"# {title}: named by GTK after its class: {line}")


def find_shown(root, role, name):
    """Like find(), preferring a control on screen (a stack's hidden page is
    in the tree too: the other list's ⋮)."""
    found = all_named(root, role, name)
    shown = [a for a in found if a.getState().contains(pyatspi.STATE_SHOWING)]
    return (shown or found or [None])[0]


def press(root, role, name):
    try:
        acc = wait_for(f"“{name}”", lambda: find_shown(root, role, name))
    except TimeoutError:
        seen = sorted({a.name for a in descendants(root) if a.getRole() == role})
        raise TimeoutError(f"no {pyatspi.Role(role)} named “{name}”; there are: {seen}")
    action = acc.queryAction()
    if action.nActions == 0:  # GTK 4.8's menu button: its inner button acts
        inner = [a for a in descendants(acc) if a.queryAction().nActions > 0]
        if inner:
            action = inner[0].queryAction()
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


def close_window(app, window, title):
    """Closes @window with its title bar's Close button."""
    press(window, pyatspi.ROLE_PUSH_BUTTON, "Close")
    wait_for(title + " to close", lambda: window_named(app, title) is None)


def open_row_menu(app, window, row):
    """Opens the menu of the row named @row with its ⋮; returns the menu."""
    # Each page keeps its menu, last filled when last opened: the one to
    # walk is the newly filled one. (Newer GTK exposes a popover as a window
    # of its own: look in all of them.)
    before = all_named(app, pyatspi.ROLE_MENU_ITEM, "Edit")
    # Both lists are in the tree (the hidden page too): take the ⋮ in @row.
    button = wait_for(f"the ⋮ of “{row}”", lambda: [b for b in all_named(window, pyatspi.ROLE_PUSH_BUTTON, "More Actions")
                                                     if row_name(b).startswith(row)])[0]
    button.queryAction().doAction(0)
    item = wait_for("the row menu's Edit",
                    lambda: [a for a in all_named(app, pyatspi.ROLE_MENU_ITEM, "Edit") if a not in before])
    return menu_of(item[0])


def row_name(acc):
    while acc is not None and acc.getRole() not in (pyatspi.ROLE_TABLE_ROW, pyatspi.ROLE_LIST_ITEM):
        acc = acc.parent
    return (acc.name or "") if acc is not None else ""


def all_named(root, role, name):
    found = []
    for a in descendants(root):
        try:
            if a.getRole() == role and a.name == name:
                found.append(a)
        except Exception:
            continue  # gone meanwhile
    return found


def menu_of(item):
    """The menu @item is in (each item may sit in a box of its own)."""
    menu = item
    while menu.parent is not None and menu.getRole() != pyatspi.ROLE_MENU:
        menu = menu.parent
    return menu if menu.getRole() == pyatspi.ROLE_MENU else item.parent


def open_main_menu(window):
    # A GtkMenuButton is a toggle button on newer GTK, a push button on 4.8.
    role = pyatspi.ROLE_TOGGLE_BUTTON if find(window, pyatspi.ROLE_TOGGLE_BUTTON, "Main Menu") else pyatspi.ROLE_PUSH_BUTTON
    press(window, role, "Main Menu")


def activate_menu_item(menu, name):
    item = wait_for(f"the menu item “{name}”", lambda: find(menu, pyatspi.ROLE_MENU_ITEM, name))
    item.queryAction().doAction(0)


def walk_row_menu(app, window, row, kind, edit_title):
    """Walks a row's menu, its Edit and its Delete confirmation."""
    menu = open_row_menu(app, window, row)
    audit(f"a {kind}'s row menu", menu)
    activate_menu_item(menu, "Edit")
    try:
        edit = wait_for(edit_title, lambda: window_named(app, edit_title))
    except TimeoutError:
        raise TimeoutError(f"no window “{edit_title}”; there are: {[w.name for w in windows(app)]}")
    time.sleep(0.5)
    audit(edit_title, edit)
    if find(edit, pyatspi.ROLE_PUSH_BUTTON, "Cancel"):
        press(edit, pyatspi.ROLE_PUSH_BUTTON, "Cancel")
        wait_for(edit_title + " to close", lambda: window_named(app, edit_title) is None)
    else:
        close_window(app, edit, edit_title)

    activate_menu_item(open_row_menu(app, window, row), "Delete")
    # The confirmation is a dialog inside the main window (libadwaita 1.5+)
    # or a window of its own: its Cancel is found in either.
    cancel = wait_for("the delete confirmation", lambda: find_cancel(app))
    confirm = cancel
    while confirm.parent is not None and confirm.getRole() not in (pyatspi.ROLE_DIALOG, pyatspi.ROLE_ALERT,
                                                                   pyatspi.ROLE_FRAME, pyatspi.ROLE_WINDOW):
        confirm = confirm.parent
    audit(f"the {kind} delete confirmation", confirm)
    cancel.queryAction().doAction(0)
    wait_for("the confirmation to close", lambda: find_cancel(app) is None)


def find_cancel(app):
    """The Cancel button, even one whose name leaks its mnemonic (the audit
    reports that); not Check All's "Cancel Check All", hidden in its strip."""
    for acc in descendants(app):
        try:
            if acc.getRole() == pyatspi.ROLE_PUSH_BUTTON and (acc.name or "").replace("_", "").strip() == "Cancel":
                return acc
        except Exception:
            continue
    return None


def start_fake_truenas(tmp, name="truenas", port=0):
    """The fake TrueNAS of the other tests: a self-signed certificate (made
    new for each @name), an admin with two-factor authentication and an SSH
    user whose shell is nologin, so a setup meets all three prompts.
    Returns (process, URL)."""
    src = os.environ["KF_SOURCE_DIR"]
    d = os.path.join(tmp, name)
    os.makedirs(os.path.join(d, "home", "backup"))
    subprocess.run([os.path.join(src, "tests", "fake-truenas", "make-cert.sh"), os.path.join(d, "cert.pem"),
                    os.path.join(d, "key.pem")], check=True, stdin=subprocess.DEVNULL, capture_output=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "root@truenas", "-f",
                    os.path.join(d, "host_ed25519")], check=True, stdin=subprocess.DEVNULL, capture_output=True)
    config = {
        "admins": [{"username": "twofa", "password": "a11y-password", "otp": "123456"}],
        "users": [{"id": 1, "username": "backup", "home": os.path.join(d, "home", "backup"),
                   "shell": "/usr/sbin/nologin"}],
        "ssh": {"port": 22, "authorized_keys": os.path.join(d, "authorized_keys"),
                "host_key_files": [os.path.join(d, "host_ed25519.pub")]},
    }
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f)
    proc = subprocess.Popen([os.path.join(BUILD, "tests", "fake-truenas", "fake-truenas"),
                             "--config", os.path.join(d, "config.json"), "--cert", os.path.join(d, "cert.pem"),
                             "--key", os.path.join(d, "key.pem"), "--port", str(port), "--exit-with-stdin"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    m = re.match(r"fake-truenas listening https=(\d+)", line)
    if not m:
        proc.kill()
        raise RuntimeError(f"the fake TrueNAS did not start: {line!r}")
    return proc, f"https://127.0.0.1:{m.group(1)}"


def stop_fake_truenas(proc):
    if proc is None:
        return
    proc.stdin.close()  # --exit-with-stdin
    try:
        proc.wait(timeout=10 * SCALE)
    except subprocess.TimeoutExpired:
        proc.kill()


TEXT_ROLES = (pyatspi.ROLE_TEXT, pyatspi.ROLE_ENTRY, pyatspi.ROLE_PASSWORD_TEXT)


def set_text(root, name, text):
    """Types @text into the text controls named @name (or “@name …”: GTK 4.8
    adds a password entry's placeholder), as an assistive technology would
    (EditableText). GTK 4.8 does not mark an entry row's text as showing:
    every one of that name is filled (the manual form's hidden Username too)."""
    def named():
        return [a for a in descendants(root)
                if a.getRole() in TEXT_ROLES and (a.name == name or (a.name or "").startswith(name + " "))]
    try:
        found = wait_for(f"the text control “{name}”", named)
    except TimeoutError:
        seen = sorted({a.name for a in descendants(root) if a.getRole() in TEXT_ROLES})
        raise TimeoutError(f"no text control named “{name}”; there are: {seen}")
    for acc in found:
        acc.queryEditableText().setTextContents(text)


def button_named(app, name):
    """A push button of any window named @name, its mnemonic underscore
    ignored (the audit reports a leaked one)."""
    for acc in descendants(app):
        try:
            if acc.getRole() == pyatspi.ROLE_PUSH_BUTTON and (acc.name or "").replace("_", "").strip() == name:
                return acc
        except Exception:
            continue
    return None


def prompt_of(button):
    """The alert (a dialog inside a window, libadwaita 1.5+, or a window of
    its own) that @button answers."""
    acc = button
    while acc.parent is not None and acc.getRole() not in (pyatspi.ROLE_DIALOG, pyatspi.ROLE_ALERT,
                                                           pyatspi.ROLE_FRAME, pyatspi.ROLE_WINDOW):
        acc = acc.parent
    return acc


def walk_prompt(app, title, answer):
    """Waits for the prompt answered by the button @answer, audits it, and
    returns the button (pressed by the caller once it has filled the prompt)."""
    button = wait_for(f"the prompt “{title}”", lambda: button_named(app, answer), seconds=30)
    time.sleep(0.5)  # let it map before reading it
    audit(f"the prompt “{title}”", prompt_of(button))
    return button


def walk_setup_prompts(app, main_window, url, restart_with_new_certificate):
    """A semi-automatic setup against the fake TrueNAS, through its three
    prompts: the certificate is trusted, the one-time password given, and
    the login shell change declined, which ends the setup with nothing
    changed. Then the TrueNAS comes back at the same address with another
    certificate, and Save again meets the fourth prompt, “Certificate
    Changed!”, which is declined; then the dialog is cancelled."""
    title = "Add SSH Connection"
    press(main_window, pyatspi.ROLE_PUSH_BUTTON, "Add Connection")
    dialog = wait_for(title, lambda: window_named(app, title))
    time.sleep(0.5)
    set_text(dialog, "Name", "Audited NAS")
    set_text(dialog, "TrueNAS URL", url)
    set_text(dialog, "Admin Username", "twofa")
    set_text(dialog, "Admin Password", "a11y-password")
    set_text(dialog, "Username", "backup")
    press(dialog, pyatspi.ROLE_PUSH_BUTTON, "Save")

    walk_prompt(app, "Untrusted Certificate", "Trust This Certificate").queryAction().doAction(0)
    otp = walk_prompt(app, "One-Time Password", "Continue")
    # typed into its one text control, whatever its name (the audit checks that)
    entry = wait_for("the one-time password entry",
                     lambda: [a for a in descendants(prompt_of(otp)) if a.getRole() in TEXT_ROLES])[0]
    entry.queryEditableText().setTextContents("123456")
    otp.queryAction().doAction(0)
    walk_prompt(app, "Change the Login Shell?", "Cancel Setup").queryAction().doAction(0)
    wait_for("the prompts to close", lambda: button_named(app, "Cancel Setup") is None)

    restart_with_new_certificate()
    press(dialog, pyatspi.ROLE_PUSH_BUTTON, "Save")
    trust = walk_prompt(app, "Certificate Changed!", "Trust New Certificate")
    press(prompt_of(trust), pyatspi.ROLE_PUSH_BUTTON, "Cancel")
    wait_for("the prompt to close", lambda: button_named(app, "Trust New Certificate") is None)

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
    host_key = os.path.join(tmp, "host_key")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", host_key], check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)
    r = run([cli, "connection", "add-manual", "Office NAS", "--host", "nas.example.lan", "--keypair",
             "Office Key", "--host-key-file", host_key + ".pub"], env)
    check("a connection for the lists (keyferry-cli connection add-manual)", r.returncode == 0, r.stderr)

    fake = None
    log = open(os.path.join(tmp, "app.log"), "w+")
    app_proc = subprocess.Popen([os.path.join(BUILD, "src", "ui", "keyferry")], env=env,
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        app = wait_for("keyferry on the accessibility bus", find_app)
        main_window = wait_for("the main window", lambda: window_named(app, "Keyferry"))
        wait_for("the Add button", lambda: find(main_window, pyatspi.ROLE_PUSH_BUTTON, "Add Connection")
                 or find(main_window, pyatspi.ROLE_PUSH_BUTTON, "Add Key Pair"))
        audit("main window, SSH Connections", main_window, list_items=True)
        # A row is named after the connection and described by its other cells.
        rows = [a for a in descendants(main_window) if a.getRole() == pyatspi.ROLE_LIST_ITEM and a.name == "Office NAS"]
        description = rows[0].description if rows else ""
        check("the connection's row reads its cells", "Host: nas.example.lan" in description and
              "Key Pair: Office Key" in description, f"rows: {len(rows)}, description: “{description}”")

        # Add opens the semi-automatic form; Edit of the manual connection the other.
        walk_dialog(app, main_window, "Add Connection", "Add SSH Connection")
        walk_row_menu(app, main_window, "Office NAS", "connection", "Edit SSH Connection")
        fake, url = start_fake_truenas(tmp)

        def restart_with_new_certificate():
            nonlocal fake
            stop_fake_truenas(fake)
            fake, again = start_fake_truenas(tmp, "truenas-renewed", int(url.rsplit(":", 1)[1]))
            check("the renewed TrueNAS listens at the same address", again == url, again)

        walk_setup_prompts(app, main_window, url, restart_with_new_certificate)

        # The main menu, and the windows it opens.
        open_main_menu(main_window)
        item = wait_for("the main menu", lambda: find(app, pyatspi.ROLE_MENU_ITEM, "Keyboard Shortcuts"))
        audit("the main menu", menu_of(item))
        item.queryAction().doAction(0)
        shortcuts = wait_for("the Keyboard Shortcuts window", lambda: other_window(app, main_window))
        time.sleep(0.5)
        # GTK 4.8's GtkShortcutsWindow has a second, never shown title bar
        # whose close button reaches AT-SPI as "GtkImage" whatever the app
        # names before or after showing it (GTK's own doing; newer GTK
        # names it "Close"). Every control is still checked for a name.
        audit("the Keyboard Shortcuts window", shortcuts, class_names=newer_than_gtk_4_8())
        def text_controls():
            return [a for a in descendants(shortcuts) if a.getRole() in (pyatspi.ROLE_ENTRY, pyatspi.ROLE_TEXT)]
        search = text_controls()
        if not search:  # newer GTK shows its search bar once its toggle is pressed
            toggles = [a for a in descendants(shortcuts) if a.getRole() == pyatspi.ROLE_TOGGLE_BUTTON]
            if toggles:
                toggles[0].queryAction().doAction(0)
                search = wait_for("the shortcuts search entry", text_controls)
                audit("the Keyboard Shortcuts window, searching", shortcuts)
        check("the Keyboard Shortcuts window has a named search entry",
              any((a.name or "").strip() for a in search), f"{len(search)} text controls")
        press(shortcuts, pyatspi.ROLE_PUSH_BUTTON, "Close")
        wait_for("the Keyboard Shortcuts window to close", lambda: other_window(app, main_window) is None)
        tab = wait_for("the SSH Keypairs tab",
                       lambda: find(main_window, pyatspi.ROLE_PAGE_TAB, "SSH Keypairs")
                       or find(main_window, pyatspi.ROLE_TOGGLE_BUTTON, "SSH Keypairs"))
        tab.queryAction().doAction(0)
        wait_for("the key pairs page", lambda: find(main_window, pyatspi.ROLE_PUSH_BUTTON, "Add Key Pair"))
        time.sleep(0.5)
        audit("main window, SSH Keypairs", main_window, list_items=True)

        walk_dialog(app, main_window, "Add Key Pair", "Add Key Pair")
        walk_row_menu(app, main_window, "Office Key", "key pair", "Key Pair")

        # A toast, with its close button: Copy Public Key shows one.
        activate_menu_item(open_row_menu(app, main_window, "Office Key"), "Copy Public Key")
        wait_for("the toast", lambda: find(main_window, pyatspi.ROLE_PUSH_BUTTON, "Dismiss")
                 or find(main_window, pyatspi.ROLE_PUSH_BUTTON, "Close"))
        audit("main window with a toast", main_window)
    except Exception as e:  # a step that could not be taken fails the test
        check("walk the app", False, repr(e))
    finally:
        stop_fake_truenas(fake)
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
