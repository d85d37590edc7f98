#!/usr/bin/env python3
"""Converts Apache Kafka message specs (JSON) into Kora's compact schema files.

Usage: tools/import-kafka-schema.py <kafka-spec-dir> <out-dir> [MessageName ...]

Kora's schema format (read by Kora.Protocol.Generator) is one message per file:
  header line:  <Name> <request|response|header|data|metadata> api=<key> v=<valid> flex=<flexible>
  field line:   <indent><Name> <type> v=<versions> [n=<nullable>] [tag=<t> tv=<tagged>]
                [d=<default>] [e=<entityType>] [key] [ign]
  struct line:  struct <Name> v=<versions>     (a common struct; its fields follow, indented)
Indentation is two spaces per nesting level; '#' starts a comment line.
"""
import json, os, re, sys

def load(path):
    text = re.sub(r'^\s*//.*$', '', open(path).read(), flags=re.M)
    return json.loads(text)

def field_line(f, depth):
    parts = [f["name"], f["type"], "v=" + f["versions"]]
    if "nullableVersions" in f: parts.append("n=" + f["nullableVersions"])
    if "tag" in f: parts += ["tag=%s" % f["tag"], "tv=" + f.get("taggedVersions", f["versions"])]
    if "default" in f:
        d = str(f["default"])
        parts.append('d=""' if d == "" else "d=" + d.lower() if d in ("True", "False") else "d=" + d)
    if "entityType" in f: parts.append("e=" + f["entityType"])
    if f.get("mapKey"): parts.append("key")
    if f.get("ignorable"): parts.append("ign")
    return "  " * depth + " ".join(parts)

def emit_fields(fields, depth, out):
    for f in fields:
        out.append(field_line(f, depth))
        emit_fields(f.get("fields", []), depth + 1, out)

def convert(spec):
    head = [spec["name"], spec["type"]]
    if "apiKey" in spec: head.append("api=%d" % spec["apiKey"])
    head += ["v=" + spec["validVersions"], "flex=" + spec.get("flexibleVersions", "none")]
    out = [" ".join(head)]
    emit_fields(spec.get("fields", []), 1, out)
    for s in spec.get("commonStructs", []):
        out.append("struct %s v=%s" % (s["name"], s["versions"]))
        emit_fields(s["fields"], 1, out)
    return "\n".join(out) + "\n"

def main():
    src, dst, names = sys.argv[1], sys.argv[2], set(sys.argv[3:])
    os.makedirs(dst, exist_ok=True)
    for file in sorted(os.listdir(src)):
        if not file.endswith(".json"): continue
        spec = load(os.path.join(src, file))
        if names and spec["name"] not in names: continue
        with open(os.path.join(dst, spec["name"] + ".kschema"), "w") as w:
            w.write(convert(spec))

main()
