#!/usr/bin/env python3
"""Drives the console in headless Chromium (Debian's chromium and
chromium-driver) with selenium, as an operator would: sign in, search,
disable a user (whose MCSManager sign-in then fails), reset a password (the
user signs in through MCSManager with the new one), read the audit log
(actor, action, target, time, address; filtered), the Health page's
tiles and charts, turn on the admin's own MFA on the Security page (the
secret read from the page, the code from oathtool), and a screenshot of
each page into --screenshots. Run by ConsoleBrowserTests; exits non-zero with a
message on the first thing that is not as expected. The browser's console
log must hold no Content-Security-Policy violation."""
import argparse
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

parser = argparse.ArgumentParser()
parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
parser.add_argument("--admin", required=True)
parser.add_argument("--admin-password", required=True)
parser.add_argument("--disable", required=True, help="a user to disable")
parser.add_argument("--reset", required=True, help="a user whose password is reset")
parser.add_argument("--old-password", required=True)
parser.add_argument("--new-password", required=True)
parser.add_argument("--search", required=True, help="a search text")
parser.add_argument("--expect", required=True, help="the usernames it finds, comma-separated")
parser.add_argument("--cli-user", required=True, help="a user `proteus user add` made (an audit line by cli)")
parser.add_argument("--screenshots", required=True)
parser.add_argument("--oathtool", default="/usr/bin/oathtool")
parser.add_argument("--chromium", default="/usr/bin/chromium")
parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
parser.add_argument("--profile", required=True, help="the browser's profile directory (the caller removes it)")
args = parser.parse_args()


def step(message):
    print(f"- {message}", flush=True)


def fail(message):
    print(f"FAILED: {message}", flush=True)
    sys.exit(1)


def mcsm_login(username, password):
    """MCSManager's sign-in (POST /api/auth/login): its HTTP status."""
    body = json.dumps({"username": username, "password": password}).encode()
    request = urllib.request.Request(args.base + "/api/auth/login", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-Requested-With": "XMLHttpRequest"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


options = Options()
options.binary_location = args.chromium
for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
             "--window-size=1360,900", "--force-device-scale-factor=1", "--lang=en-US",
             "--user-data-dir=" + args.profile):
    options.add_argument(flag)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service(args.chromedriver), options=options)
# The page re-renders rows while a wait reads them: an element gone stale is
# read again at the next poll.
wait = WebDriverWait(driver, 15, ignored_exceptions=[StaleElementReferenceException])
os.makedirs(args.screenshots, exist_ok=True)


def shot(name):
    path = os.path.join(args.screenshots, name + ".png")
    if not driver.save_screenshot(path):
        fail(f"no screenshot {path}")
    step(f"screenshot {name}.png")


def visible(by, value):
    return wait.until(EC.visibility_of_element_located((by, value)))


def button(label, within=None):
    xpath = f".//button[normalize-space()='{label}']" if within is not None else f"//button[normalize-space()='{label}']"
    root = within if within is not None else driver
    return wait.until(lambda d: next((b for b in root.find_elements(By.XPATH, xpath) if b.is_displayed() and b.is_enabled()), None))


def nav(label):
    link = visible(By.XPATH, f"//nav//a[normalize-space()='{label}']")
    link.click()
    visible(By.XPATH, f"//main/section[not(@hidden)]//h1[normalize-space()='{label}']")


def search(text, expected):
    box = visible(By.ID, "user-search")
    box.clear()
    box.send_keys(text)
    count = f"{len(expected)} user{'' if len(expected) == 1 else 's'}"
    wait.until(lambda d: sorted(e.text for e in d.find_elements(By.CSS_SELECTOR, "#user-rows button.name")) == sorted(expected)
               and d.find_element(By.ID, "user-count").text.startswith(count))
    step(f"search {text!r} shows {expected}")


def open_user(name):
    button(name).click()
    visible(By.XPATH, f"//aside[@id='user-detail']//h2[normalize-space()='{name}']")


def confirm(label):
    dialog = visible(By.ID, "confirm")
    ok = dialog.find_element(By.ID, "confirm-ok")
    if ok.text != label:
        fail(f"the confirmation button says {ok.text!r}, not {label!r}")
    ok.click()
    wait.until(EC.invisibility_of_element_located((By.ID, "confirm")))


try:
    driver.get(args.base + "/console/")
    visible(By.XPATH, "//h1[normalize-space()='Sign in']")
    step("the sign-in page is shown")
    shot("sign-in")
    driver.find_element(By.ID, "signin-username").send_keys(args.admin)
    driver.find_element(By.ID, "signin-password").send_keys(args.admin_password)
    button("Sign in").click()
    visible(By.XPATH, "//nav//a[normalize-space()='Users']")
    visible(By.CSS_SELECTOR, "#user-rows button.name")
    step("signed in")

    # Search as you type, then disable a user; MCSManager then refuses them.
    search(args.search, args.expect.split(","))
    open_user(args.disable)
    if mcsm_login(args.disable, args.old_password) != 200:
        fail(f"{args.disable} cannot sign in through MCSManager before being disabled")
    button("Disable").click()
    visible(By.XPATH, "//dialog[@id='confirm']//h2[normalize-space()='Disable']")
    shot("confirm")
    confirm("Disable")
    button("Enable", driver.find_element(By.ID, "user-detail"))
    step(f"{args.disable} disabled")
    status = mcsm_login(args.disable, args.old_password)
    if status != 401:
        fail(f"{args.disable} still signs in through MCSManager after Disable (HTTP {status})")
    step(f"{args.disable}'s MCSManager sign-in now fails (401)")

    # Reset a password: the user signs in through MCSManager with the new one.
    search(args.reset, [args.reset])
    open_user(args.reset)
    button("Reset password").click()
    field = visible(By.ID, "reset-password-input")
    if len(field.get_attribute("value")) < 16:
        fail("the dialog proposes no generated password")
    field.clear()
    field.send_keys(args.new_password)
    confirm("Reset password")
    visible(By.XPATH, "//div[@id='toast' and contains(., 'Password changed')]")
    if mcsm_login(args.reset, args.new_password) != 200:
        fail(f"{args.reset} cannot sign in through MCSManager with the new password")
    if mcsm_login(args.reset, args.old_password) != 401:
        fail(f"{args.reset}'s old password still works")
    step(f"{args.reset} signs in through MCSManager with the new password, not the old one")
    for label in ("Disable", "Enable", "Reset password", "Turn off MFA", "Revoke sessions", "Delete"):
        if not driver.find_elements(By.XPATH, f"//aside[@id='user-detail']//button[normalize-space()='{label}']") and label != "Enable":
            fail(f"the user's detail has no {label!r} button")
    # Every user (an empty search), with the reset user's detail.
    box = driver.find_element(By.ID, "user-search")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.BACK_SPACE)
    wait.until(lambda d: d.find_element(By.ID, "user-count").text.endswith("users")
               and len(d.find_elements(By.CSS_SELECTOR, "#user-rows button.name")) >= 3)
    open_user(args.reset)
    visible(By.XPATH, "//aside[@id='user-detail']//pre")
    # The detail counts the user's live sessions (the MCSManager sign-in above).
    visible(By.XPATH, "//aside[@id='user-detail']//dt[normalize-space()='Sessions']/following-sibling::dd[1][normalize-space()='1 live']")
    step(f"{args.reset}'s detail shows 1 live session")
    # One page holds every user: neither Previous nor Next can be used.
    if driver.find_element(By.ID, "user-prev").is_enabled() or driver.find_element(By.ID, "user-next").is_enabled():
        fail("the pager offers another page of a one-page list")
    wait.until(EC.invisibility_of_element_located((By.ID, "toast")))
    shot("users")

    # Groups: create one through the form.
    nav("Groups")
    driver.find_element(By.ID, "group-name").send_keys("staff")
    driver.find_element(By.ID, "group-description").send_keys("Everyone on the team")
    button("Create group").click()
    visible(By.XPATH, "//tbody[@id='group-rows']//td[normalize-space()='staff']")
    shot("groups")
    nav("Roles")
    visible(By.XPATH, "//tbody[@id='role-rows']//code[normalize-space()='admin']")
    shot("roles")
    nav("Plugins")
    visible(By.XPATH, "//tbody[@id='plugin-rows']//code[normalize-space()='console']")
    shot("plugins")
    # The audit log: who, what, when and from where, for the console's
    # changes and the shell's.
    nav("Audit")

    def audit_row(action, target):
        xpath = (f"//tbody[@id='audit-rows']/tr[td/code[normalize-space()='{action}']"
                 f" and td[starts-with(normalize-space(), '{target}')]]")
        return visible(By.XPATH, xpath)

    def cells(row):
        return [td.text for td in row.find_elements(By.TAG_NAME, "td")]

    for action, target in (("user.disable", args.disable), ("user.password", args.reset), ("group.create", "staff")):
        time, actor, _, _, source, address, _ = cells(audit_row(action, target))
        if actor != args.admin or source != "console" or address != "127.0.0.1" or not time:
            fail(f"the audit line of {action} {target} shows {[time, actor, source, address]}")
    time, actor, _, _, source, address, _ = cells(audit_row("user.create", args.cli_user))
    if not actor.startswith("cli:") or source != "cli" or address != "—" or not time:
        fail(f"the audit line of the shell's user.create shows {[time, actor, source, address]}")
    step("the audit log shows the console's and the shell's changes: actor, action, target, time, address")
    shot("audit")
    driver.find_element(By.ID, "audit-action").send_keys("user.password")
    button("Filter").click()
    wait.until(lambda d: [r.find_elements(By.TAG_NAME, "td")[2].text for r in d.find_elements(By.CSS_SELECTOR, "#audit-rows tr")] == ["user.password"])
    step("filtered by action: only the password reset")

    # Health: tiles with the current values, and every chart drawn with at
    # least two points (three polls, 2 s apart) before the screenshot.
    nav("Health")
    ready = visible(By.XPATH, "//div[@id='health-tiles']/div[div[@class='tile-label']='Ready']/div[@class='tile-value']")
    if ready.text != "yes":
        fail(f"the Health page says ready: {ready.text!r}")
    # Sign-ins for the charts to show (through MCSManager, as a user would).
    for _ in range(3):
        if mcsm_login(args.admin, args.admin_password) != 200:
            fail("the administrator's MCSManager sign-in failed")
    charts = ("requests", "kdf", "logins", "store")
    WebDriverWait(driver, 30, ignored_exceptions=[StaleElementReferenceException]).until(lambda d: all(
        int(d.find_element(By.CSS_SELECTOR, f"#health-chart-{c} svg.chart").get_attribute("data-points") or 0) >= 2
        for c in charts))
    for c in charts:
        visible(By.CSS_SELECTOR, f"#health-chart-{c} svg.chart")
        if not driver.find_elements(By.CSS_SELECTOR, f"#health-chart-{c} svg.chart polyline"):
            fail(f"the {c} chart has no line")
    workers = driver.find_element(By.XPATH, "//div[@id='health-tiles']/div[div[@class='tile-label']='Workers']/div[@class='tile-value']").text
    step(f"the Health page draws its charts ({', '.join(charts)}); workers serving / wanted: {workers}")
    shot("health")

    # Security: the admin turns on their own MFA. The QR code and the
    # secret first (the screenshot), then the code an app would show.
    nav("Security")
    wait.until(lambda d: d.find_element(By.ID, "security-mfa").text == "off")
    button("Turn on MFA").click()
    qr = visible(By.ID, "security-qr")
    wait.until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0"
                                          " && arguments[0].width * 2 == arguments[0].naturalWidth", qr))
    if not (qr.get_attribute("src") or "").startswith("data:image/png;base64,"):
        fail("the QR code is not a PNG data: URL")
    secret = visible(By.ID, "security-secret").text.strip()
    if len(secret) < 16:
        fail(f"the page shows no secret ({secret!r})")
    wait.until(EC.invisibility_of_element_located((By.ID, "toast")))
    shot("security")
    code = subprocess.run([args.oathtool, "--totp", "-b", secret], check=True, capture_output=True, text=True).stdout.strip()
    driver.find_element(By.ID, "security-code").send_keys(code)
    driver.find_element(By.ID, "security-password").send_keys(args.admin_password)
    button("Confirm and turn on").click()
    visible(By.ID, "security-codes")
    codes = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#security-code-list li")]
    if len(codes) != 10 or len(set(codes)) != 10:
        fail(f"the page shows {len(codes)} recovery codes: {codes}")
    visible(By.XPATH, "//div[@id='security-codes']//p[contains(., 'shown only this once')]")
    step(f"MFA turned on; {len(codes)} recovery codes shown")
    wait.until(EC.invisibility_of_element_located((By.ID, "toast")))
    shot("security-codes")
    button("I have saved them").click()
    wait.until(EC.invisibility_of_element_located((By.ID, "security-codes")))
    wait.until(lambda d: d.find_element(By.ID, "security-mfa").text == "on")
    # Turning it off asks for the password: a wrong one keeps it on.
    button("Turn off MFA").click()
    visible(By.ID, "security-off-password").send_keys("Not-the-Passw0rd")
    driver.find_element(By.ID, "confirm-ok").click()
    wait.until(lambda d: "Wrong password" in d.find_element(By.ID, "confirm-error").text)
    driver.find_element(By.ID, "confirm-cancel").click()
    wait.until(EC.invisibility_of_element_located((By.ID, "confirm")))
    if driver.find_element(By.ID, "security-mfa").text != "on":
        fail("a wrong password turned MFA off")
    step("a wrong password does not turn MFA off")
    # The session goes on (renewed with the second factor).
    nav("Roles")
    visible(By.XPATH, "//tbody[@id='role-rows']//code[normalize-space()='admin']")
    step("the session goes on after MFA was turned on")

    log = driver.get_log("browser")
    violations = [entry["message"] for entry in log
                  if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]]
    if violations:
        fail("CSP violations in the browser: " + "; ".join(violations))
    severe = [entry["message"] for entry in log if entry.get("level") == "SEVERE"]
    step(f"no CSP violation ({len(severe)} other severe log lines)")
    print("OK", flush=True)
except SystemExit:
    raise
except Exception as e:  # any selenium timeout or error: say where
    try:
        shot("failure")
    except Exception:
        pass
    fail(f"{type(e).__name__}: {e}")
finally:
    driver.quit()
