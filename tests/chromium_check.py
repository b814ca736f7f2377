#!/usr/bin/env python3
"""Loads Chrome policies into a private headless Debian Chromium and reports what the browser
made of them, for tests/interop_chromium.rs.

Usage: chromium_check.py JOB.json   (as root; Debian's /usr/bin/python3 with python3-samba)

JOB is {"runs": [RUN, ...]}; each RUN is
  {"id": str,
   "pol": path of a machine Registry.pol (optional), "section": its Chrome key,
   "policies": {name: value} (optional, added as they are: negative controls),
   "lna_probes": [origin, ...], "cookie_probes": [url, ...]}

For each run it:
1. reads the Registry.pol with Samba's PReg codec (samba.dcerpc.preg, independent of policyc),
   replays it onto an empty registry (`**delvals.`, `**del.<v>`, `**deletevalues`,
   `**deletekeys` as Group Policy does), and converts the section (case-insensitively: the
   Windows registry is) to Chromium's JSON by Chromium's Windows rules (registry_dict.cc,
   RegistryDict::ConvertToJSON / ConvertRegistryValue): a subkey's numerically named REG_SZ
   values form a list; REG_SZ/REG_EXPAND_SZ are strings; REG_DWORD becomes a boolean or an
   integer by the policy's schema type; a value of any other shape is dropped and logged;
2. writes the JSON as the only managed policy file Chromium sees: the script runs in a private
   mount namespace (unshare) where a temporary folder is bind-mounted over /etc/chromium, so the
   machine's own /etc/chromium is never written;
3. starts /usr/lib/chromium/chromium --headless=new --remote-debugging-pipe (no TCP port) with a
   fresh profile, `--host-resolver-rules` sending every probe host to a local test server and
   nothing else anywhere, `--ip-address-space-overrides` making that server "public";
4. reads chrome://policy (its `policies-updated` WebUI data: value, error, warning, deprecated,
   ignored, level, scope, source per policy);
5. opens every LNA probe origin (served over TLS from 127.0.0.1, self-signed, with
   --ignore-certificate-errors), queries navigator.permissions for loopback-network and really
   fetches a loopback server; opens every cookie probe URL and tries to store a cookie.

Prints {"chromium": version, "schema_types": {...}, "runs": {id: RESULT}} on stdout. Exit 0 when
it ran, 2 when it could not (no root, no Chromium, no Samba, chrome://policy changed), 3 when it
is not root.
"""

import ctypes
import fcntl
import http.server
import json
import os
import re
import select
import shutil
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time

CHROMIUM = "/usr/lib/chromium/chromium"
ETC = "/etc/chromium"
REG_SZ, REG_EXPAND_SZ, REG_DWORD = 1, 2, 4


class Harness(Exception):
    pass


def die(msg, code=2):
    print(msg, file=sys.stderr)
    sys.exit(code)


# ----------------------------------------------------------------------------- private /etc/chromium
def enter_private_namespace():
    """Re-runs this script under `unshare --mount` once; then binds a temp dir over /etc/chromium."""
    if os.environ.get("POLICYC_CHROMIUM_NS") != "1":
        env = dict(os.environ, POLICYC_CHROMIUM_NS="1")
        r = subprocess.run(["unshare", "--mount", "--propagation", "private", sys.executable,
                            *sys.argv], env=env)
        sys.exit(r.returncode)
    etc = tempfile.mkdtemp(prefix="policyc-etc-chromium-")
    if os.path.isdir(ETC):
        for name in os.listdir(ETC):
            src = os.path.join(ETC, name)
            if os.path.isfile(src):
                shutil.copy(src, os.path.join(etc, name))
    else:
        raise Harness(f"{ETC} does not exist (is Debian's chromium installed?)")
    os.makedirs(os.path.join(etc, "policies", "managed"))
    os.makedirs(os.path.join(etc, "policies", "recommended"))
    r = subprocess.run(["mount", "--bind", etc, ETC], capture_output=True, text=True)
    if r.returncode != 0:
        raise Harness("mount --bind over /etc/chromium failed: " + r.stderr.strip())
    return etc


def install(etc, policies):
    path = os.path.join(etc, "policies", "managed", "policyc.json")
    with open(path, "w") as f:
        json.dump(policies, f, indent=1, sort_keys=True)
    os.chmod(path, 0o644)


# ----------------------------------------------------------------------------- Registry.pol -> JSON
class Key:
    def __init__(self, name):
        self.name, self.keys, self.values = name, {}, {}

    def sub(self, path, create=True):
        k = self
        for part in [p for p in path.split("\\") if p]:
            nxt = k.keys.get(part.lower())
            if nxt is None:
                if not create:
                    return None
                nxt = k.keys[part.lower()] = Key(part)
            k = nxt
        return k


def replay_pol(path):
    from samba.dcerpc import preg
    from samba.ndr import ndr_unpack
    root = Key("")
    for e in ndr_unpack(preg.file, open(path, "rb").read()).entries:
        key, name = e.keyname, e.valuename
        low = name.lower()
        if low.startswith("**delvals."):
            root.sub(key).values.clear()
        elif low.startswith("**del."):
            root.sub(key).values.pop(name[6:].lower(), None)
        elif low.startswith("**deletevalues"):
            k = root.sub(key)
            for v in str(e.data).split(";"):
                k.values.pop(v.strip().lower(), None)
        elif low.startswith("**deletekeys"):
            for sk in str(e.data).split(";"):
                root.sub(key).keys.pop(sk.strip().lower(), None)
        elif low.startswith("**"):
            continue
        else:
            root.sub(key).values[name.lower()] = (name, e.type, e.data)
    return root


def numeric(name):
    return re.fullmatch(r"[+-]?[0-9]+", name) is not None


def base_value(typ, data):
    if typ in (REG_SZ, REG_EXPAND_SZ):
        return str(data)
    if typ == REG_DWORD:
        v = int(data)
        return v - (1 << 32) if v >= (1 << 31) else v
    return None


def convert(value, stype):
    """ConvertRegistryValue for one value; (ok, converted)."""
    kinds = {bool: "boolean", int: "integer", str: "string", list: "list", dict: "dictionary"}
    if stype is None or kinds.get(type(value)) == stype:
        return True, value
    if stype == "boolean" and isinstance(value, int):
        return True, value != 0
    if stype == "integer" and isinstance(value, str) and numeric(value):
        return True, int(value)
    if stype in ("list", "dictionary") and isinstance(value, str):
        try:
            parsed = json.loads(value)
            if kinds.get(type(parsed)) == stype:
                return True, parsed
        except ValueError:
            pass
    return False, None


def registry_to_json(root, section, schema, log):
    base = root.sub(section, create=False)
    out = {}
    if base is None:
        log.append(f"no key {section}")
        return out
    for _, (name, typ, data) in sorted(base.values.items()):
        b = base_value(typ, data)
        ok, v = (False, None) if b is None else convert(b, schema.get(name))
        if ok:
            out[name] = v
        else:
            log.append(f"{name}: dropped (registry type {typ} for schema type {schema.get(name)})")
    for _, sub in sorted(base.keys.items()):
        if sub.name.lower() == "recommended":
            log.append("Recommended subkey present (not converted)")
            continue
        if schema.get(sub.name) != "list":
            log.append(f"{sub.name}: dropped (a subkey for schema type {schema.get(sub.name)})")
            continue
        items = []
        # Chromium iterates values by name, case-insensitively (a string order: 10 before 2).
        for low in sorted(sub.values):
            name, typ, data = sub.values[low]
            if not numeric(name):
                log.append(f"{sub.name}\\{name}: non-numeric name ignored")
                continue
            b = base_value(typ, data)
            ok, v = (False, None) if b is None else convert(b, "string")
            if ok:
                items.append(v)
            else:
                log.append(f"{sub.name}\\{name}: dropped (registry type {typ})")
        out[sub.name] = items
    return out


# ----------------------------------------------------------------------------- browser over a pipe
class Browser:
    def __init__(self, args, timeout=30):
        self.profile = tempfile.mkdtemp(prefix="policyc-chromium-profile-")
        to_browser_r, self.w = os.pipe()
        self.r, from_browser_w = os.pipe()
        hi_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 100)
        hi_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 100)

        def fds():
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        cmd = [CHROMIUM, "--headless=new", "--no-sandbox", "--remote-debugging-pipe",
               "--user-data-dir=" + self.profile, "--no-first-run", "--no-default-browser-check",
               "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--disable-extensions", "--password-store=basic", *args,
               "about:blank"]
        self.log = open(os.path.join(self.profile, "stderr.log"), "wb")
        self.proc = subprocess.Popen(cmd, pass_fds=(3, 4), preexec_fn=fds, start_new_session=True,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.log)
        for fd in (to_browser_r, from_browser_w, hi_r, hi_w):
            os.close(fd)
        self.buf, self.n, self.timeout = b"", 0, timeout

    def _recv(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise Harness("timed out waiting for the browser")
            if select.select([self.r], [], [], left)[0]:
                chunk = os.read(self.r, 1 << 20)
                if not chunk:
                    raise Harness("the browser closed the debugging pipe")
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None, timeout=None):
        self.n += 1
        msg = {"id": self.n, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + (timeout or self.timeout)
        while True:
            m = self._recv(deadline)
            if m.get("id") == self.n:
                if "error" in m:
                    raise Harness(f"{method}: {m['error']}")
                return m["result"]

    def eval(self, session, expr, timeout=None):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True}, session, timeout)
        if "exceptionDetails" in r:
            raise Harness("script error: " + json.dumps(r["exceptionDetails"])[:300])
        return r["result"].get("value")

    def wait(self, session, expr, what, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.eval(session, expr):
                    return
            except Harness:
                pass
            time.sleep(0.1)
        raise Harness("timed out waiting for " + what)

    def page(self):
        t = self.send("Target.createTarget", {"url": "about:blank"})
        return self.send("Target.attachToTarget", {"targetId": t["targetId"], "flatten": True})[
            "sessionId"]

    def goto(self, session, url):
        self.send("Page.navigate", {"url": url}, session)
        self.wait(session, "location.href === %s && document.readyState === 'complete'"
                  % json.dumps(url), "page " + url)

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        for fd in (self.w, self.r):
            os.close(fd)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


POLICY_READY = """!!(window.cr && cr.webUIListenerCallback && window.chrome && chrome.send &&
  document.querySelector('policy-app'))"""

# chrome://policy answers `listenPoliciesUpdates` with a `policies-updated` WebUI event whose
# second argument holds policyGroups.chrome.policies: {name: {value, error, warning, ...}}.
POLICY_DATA = """new Promise((resolve) => {
  const t = setTimeout(() => resolve(null), 15000);
  const orig = cr.webUIListenerCallback;
  cr.webUIListenerCallback = function(name, ...args) {
    if (name === 'policies-updated') { clearTimeout(t); cr.webUIListenerCallback = orig;
      resolve(args[1]); }
    return orig.apply(this, [name, ...args]);
  };
  chrome.send('listenPoliciesUpdates');
})"""

SCHEMA = """(async () => {
  const m = await import('chrome://resources/js/load_time_data.js');
  const s = m.loadTimeData.getValue('initialSchema');
  return typeof s === 'string' ? JSON.parse(s) : s;
})()"""

LNA_PROBE = """(async () => {
  const o = {origin: location.origin, perm: {}};
  for (const n of ['loopback-network', 'local-network-access']) {
    try { o.perm[n] = (await navigator.permissions.query({name: n})).state; }
    catch (e) { o.perm[n] = 'unsupported'; }
  }
  const c = new AbortController(); const t = setTimeout(() => c.abort(), 4000);
  try { const r = await fetch('http://127.0.0.1:%d/ping', {signal: c.signal, cache: 'no-store'});
        o.fetch = 'ok ' + r.status + ' ' + (await r.text()); }
  catch (e) { o.fetch = 'blocked ' + e.name; } finally { clearTimeout(t); }
  return o;
})()"""

COOKIE_PROBE = """(() => { const n = 'policyc_' + Math.random().toString(36).slice(2);
  document.cookie = n + '=1; max-age=60; path=/';
  return document.cookie.indexOf(n + '=1') >= 0; })()"""


# ----------------------------------------------------------------------------- test servers
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def _send(self, code, body, ctype):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/ping"):
            self._send(200, b"pong", "text/plain")
        else:
            self._send(200, b"<!doctype html><title>policyc</title><p>probe</p>", "text/html")

    def do_OPTIONS(self):
        self.send_response(204)
        for k, v in (("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "GET"),
                     ("Access-Control-Allow-Headers", "*"),
                     ("Access-Control-Allow-Private-Network", "true"),
                     ("Access-Control-Allow-Local-Network", "true"), ("Content-Length", "0")):
            self.send_header(k, v)
        self.end_headers()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def servers(tmp):
    """A TLS page server (made "public") and a plain server on loopback (the LNA target, and
    the cookie pages)."""
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=policyc-test"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tls = Server(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
    plain = Server(("127.0.0.1", 0), Handler)
    for s in (tls, plain):
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return tls, plain


def host_of(url):
    return re.sub(r"^[a-z]+://", "", url).split("/")[0].rsplit(":", 1)[0] if "]" not in url else None


# ----------------------------------------------------------------------------- main
def schema_types(etc, tmp):
    install(etc, {})
    b = Browser(["--host-resolver-rules=MAP * ~NOTFOUND"])
    try:
        s = b.page()
        b.goto(s, "chrome://policy/test")
        b.wait(s, "(async () => { try { const m = await import('chrome://resources/js/load_time_data.js');"
                  " return !!m.loadTimeData.getValue('initialSchema'); } catch (e) { return false; } })()",
               "chrome://policy/test schema")
        sch = b.eval(s, SCHEMA)
        return sch["chrome"]
    finally:
        b.close()


def run_one(run, etc, schema, tls, plain):
    res = {"conversion_log": []}
    policies = {}
    if run.get("pol"):
        policies = registry_to_json(replay_pol(run["pol"]), run["section"], schema,
                                    res["conversion_log"])
        res["converted"] = dict(policies)
    policies.update(run.get("policies", {}))
    install(etc, policies)
    tls_port, plain_port = tls.server_address[1], plain.server_address[1]
    hosts = sorted({host_of(u) for u in run.get("lna_probes", [])} - {None})
    cookie_hosts = sorted({host_of(u) for u in run.get("cookie_probes", [])} - {None, "localhost"})
    rules = ["EXCLUDE localhost", "EXCLUDE 127.0.0.1"]
    rules += [f"MAP {h} 127.0.0.1:{tls_port}" for h in hosts]
    rules += [f"MAP {h} 127.0.0.1:{plain_port}" for h in cookie_hosts]
    rules.append("MAP * ~NOTFOUND")
    b = Browser(["--ignore-certificate-errors", "--host-resolver-rules=" + ", ".join(rules),
                 f"--ip-address-space-overrides=127.0.0.1:{tls_port}=public"])
    try:
        s = b.page()
        b.goto(s, "chrome://policy/")
        b.wait(s, POLICY_READY, "chrome://policy")
        data = b.eval(s, POLICY_DATA, timeout=20)
        if not data:
            raise Harness("chrome://policy sent no policies-updated data (its WebUI changed?)")
        res["policies"] = data["policyGroups"]["chrome"]["policies"]
        res["lna"] = {}
        for origin in run.get("lna_probes", []):
            # A loopback page (http://localhost) is served by the plain loopback server.
            page = origin.replace("localhost", f"localhost:{plain_port}", 1) \
                if host_of(origin) == "localhost" else origin
            b.goto(s, page + "/probe")
            res["lna"][origin] = b.eval(s, LNA_PROBE % plain_port, timeout=20)
        res["cookies"] = {}
        for url in run.get("cookie_probes", []):
            full = url.replace("localhost", f"localhost:{plain_port}", 1) \
                if host_of(url) == "localhost" else url
            b.goto(s, full + "/probe")
            res["cookies"][url] = b.eval(s, COOKIE_PROBE)
    finally:
        b.close()
    return res


def main():
    if os.geteuid() != 0:
        die("needs root (a private mount namespace over /etc/chromium)", 3)
    for need in (CHROMIUM, "/usr/bin/unshare", "/usr/bin/openssl"):
        if not os.path.exists(need):
            die(f"{need} not found")
    job = json.load(open(sys.argv[1]))
    try:
        etc = enter_private_namespace()
        tmp = tempfile.mkdtemp(prefix="policyc-chromium-")
        version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
        schema = schema_types(etc, tmp)
        tls, plain = servers(tmp)
        out = {"chromium": version.strip(), "schema_types": {}, "runs": {}}
        for run in job["runs"]:
            out["runs"][run["id"]] = run_one(run, etc, schema, tls, plain)
        names = set()
        for r in out["runs"].values():
            names |= set(r.get("policies", {}))
        out["schema_types"] = {n: schema.get(n) for n in sorted(names)}
        print(json.dumps(out))
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(etc, ignore_errors=True)
    except Harness as e:
        die("harness: " + str(e))


if __name__ == "__main__":
    main()
