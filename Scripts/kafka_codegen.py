#!/usr/bin/env python3
"""Generates Ebb's Kafka protocol codecs from Apache Kafka's message specs.

Reads the pinned specs in Specs/kafka-messages/ (copies of Kafka's own JSON definitions) and
writes one Swift file per message to Sources/KafkaAdmin/Generated/. The generated files are
committed and never edited by hand; a test runs this script with --check and fails when
regenerating would change them.

    python3 Scripts/kafka_codegen.py          # write the files
    python3 Scripts/kafka_codegen.py --check  # exit 1 if any file is stale
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "Specs" / "kafka-messages"
OUT = ROOT / "Sources" / "KafkaAdmin" / "Generated"

SWIFT_KEYWORDS = {"default", "protocol", "internal", "public", "private", "static", "class", "struct",
                  "enum", "func", "var", "let", "in", "is", "as", "self", "Type", "operator", "repeat"}

PRIMITIVES = {
    "int8": ("Int8", "0", "Int8"), "int16": ("Int16", "0", "Int16"), "int32": ("Int32", "0", "Int32"),
    "int64": ("Int64", "0", "Int64"), "uint16": ("UInt16", "0", "UInt16"), "float64": ("Double", "0", "Float64"),
    "bool": ("Bool", "false", "Bool"), "string": ("String", '""', "String"), "bytes": ("[UInt8]", "[]", "Bytes"),
    "records": ("[UInt8]", "[]", "Bytes"), "uuid": ("KafkaUUID", ".zero", "UUID"),
}


class Versions:
    """A version range as the specs write it: '0+', '1-3', '5', 'none'."""

    def __init__(self, text):
        text = (text or "none").strip()
        if text == "none":
            self.low, self.high = None, None
        elif text.endswith("+"):
            self.low, self.high = int(text[:-1]), None
        elif "-" in text:
            low, high = text.split("-")
            self.low, self.high = int(low), int(high)
        else:
            self.low = self.high = int(text)

    @property
    def empty(self):
        return self.low is None

    def intersect(self, other):
        if self.empty or other.empty:
            return Versions("none")
        low = max(self.low, other.low)
        highs = [h for h in (self.high, other.high) if h is not None]
        high = min(highs) if highs else None
        if high is not None and high < low:
            return Versions("none")
        result = Versions("none")
        result.low, result.high = low, high
        return result

    def contains_all(self, other):
        """Whether every version of `other` is in self."""
        if other.empty:
            return True
        if self.empty:
            return False
        if other.low < self.low:
            return False
        if self.high is None:
            return True
        return other.high is not None and other.high <= self.high

    def condition(self, var="version", within=None):
        """A Swift condition that holds for versions in the range (`true` when it covers `within`)."""
        if within is not None and self.contains_all(within):
            return "true"
        if self.empty:
            return "false"
        if self.high is None:
            return "true" if self.low == 0 else f"{var} >= {self.low}"
        if self.low == self.high:
            return f"{var} == {self.low}"
        if self.low == 0:
            return f"{var} <= {self.high}"
        return f"({self.low}...{self.high}).contains({var})"


def strip_comments(text):
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))


def swift_name(name):
    name = name[0].lower() + name[1:]
    # Leading acronyms: "IsrNodes" stays isrNodes; "UUID"-like leading capitals lower-case.
    match = re.match(r"^([a-z])([A-Z]+)([A-Z][a-z].*)?$", name)
    if match and match.group(3):
        name = match.group(1) + match.group(2).lower() + match.group(3)
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


def plain(name):
    return name.strip("`")


class Field:
    def __init__(self, spec, message_versions, flexible):
        self.name = spec["name"]
        self.prop = swift_name(self.name)
        self.type = spec["type"]
        self.versions = Versions(spec.get("versions")).intersect(message_versions)
        self.nullable = Versions(spec.get("nullableVersions")).intersect(self.versions)
        self.tagged = Versions(spec.get("taggedVersions")).intersect(self.versions)
        self.tag = spec.get("tag")
        self.default = spec.get("default")
        self.about = spec.get("about", "")
        # A field may opt out of flexible encoding (the request header's ClientId).
        self.flexible = Versions(spec["flexibleVersions"]) if "flexibleVersions" in spec else flexible
        self.fields = spec.get("fields")
        self.is_array = self.type.startswith("[]")
        self.element = self.type[2:] if self.is_array else self.type
        self.is_struct = self.element not in PRIMITIVES

    @property
    def optional(self):
        return not self.nullable.empty

    def element_swift(self, owner):
        return PRIMITIVES[self.element][0] if not self.is_struct else self.element

    def swift_type(self, owner):
        base = self.element_swift(owner)
        base = f"[{base}]" if self.is_array else base
        return base + ("?" if self.optional else "")

    def default_value(self, owner):
        if self.optional and (self.default in (None, "null")):
            return "nil"
        if self.is_array:
            return "[]"
        if self.is_struct:
            return f"{self.element}()"
        kind = self.element
        if self.default is None or self.default == "null":
            return PRIMITIVES[kind][1]
        if kind == "bool":
            return "true" if str(self.default).lower() == "true" else "false"
        if kind == "string":
            return json.dumps(self.default)
        if kind in ("int8", "int16", "int32", "int64", "uint16"):
            value = int(str(self.default), 0)
            return str(value)
        if kind == "float64":
            return str(float(self.default))
        return PRIMITIVES[kind][1]


class Generator:
    def __init__(self, spec):
        self.spec = spec
        self.name = spec["name"]
        self.kind = spec["type"]
        self.versions = Versions(spec["validVersions"])
        self.flexible = Versions(spec.get("flexibleVersions", "none"))
        self.structs = []  # (name, [Field]) in order of appearance
        self.fields = self.collect(spec["fields"])

    def collect(self, specs):
        fields = [Field(f, self.versions, self.flexible) for f in specs]
        for field in fields:
            if field.is_struct and field.fields is not None:
                field.struct_fields = self.collect(field.fields)
                self.structs.append((field.element, field.struct_fields))
            elif field.is_struct:
                raise SystemExit(f"{self.name}: struct {field.element} has no fields (commonStructs are not supported yet)")
        return fields

    # --- emit -------------------------------------------------------------------------------

    def emit(self, source_name):
        lines = [
            f"// Generated by Scripts/kafka_codegen.py from Specs/kafka-messages/{source_name}.",
            "// Do not edit: change the generator or the spec and regenerate.",
            "",
        ]
        conformance = {"request": "KafkaRequestBody", "response": "KafkaResponseBody", "header": "KafkaMessage"}[self.kind]
        lines.append(f"public struct {self.name}: {conformance}, Sendable, Hashable {{")
        if "apiKey" in self.spec:
            lines.append(f"    public static let apiKey: Int16 = {self.spec['apiKey']}")
        lines.append(f"    public static let validVersions: ClosedRange<Int16> = {self.versions.low}...{self.versions.high}")
        lines.append(f"    public static func isFlexible(_ version: Int16) -> Bool {{ {self.flexible.condition()} }}")
        if self.kind == "request":
            lines.append(f"    public typealias Response = {self.name[:-len('Request')]}Response")
        lines.append("")
        lines += self.emit_body(self.name, self.fields, indent="    ", top=True)
        for struct_name, fields in self.structs:
            lines.append("")
            lines.append(f"    public struct {struct_name}: Sendable, Hashable {{")
            lines += self.emit_body(struct_name, fields, indent="        ", top=False)
            lines.append("    }")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def emit_body(self, owner, fields, indent, top):
        out = []
        for field in fields:
            about = field.about.replace("\n", " ")
            out.append(f"{indent}/// {about} (versions {self.describe(field.versions)})")
            out.append(f"{indent}public var {field.prop}: {field.swift_type(owner)}")
        out.append("")
        params = ", ".join(f"{plain(f.prop)}: {f.swift_type(owner)} = {f.default_value(owner)}" for f in fields)
        out.append(f"{indent}public init({params}) {{")
        for field in fields:
            out.append(f"{indent}    self.{field.prop} = {plain(field.prop)}")
        out.append(f"{indent}}}")
        out.append("")
        out += self.emit_encode(owner, fields, indent)
        out.append("")
        out += self.emit_decode(owner, fields, indent)
        return out

    @staticmethod
    def describe(versions):
        if versions.empty:
            return "none"
        return f"{versions.low}+" if versions.high is None else f"{versions.low}-{versions.high}"

    # --- encode -----------------------------------------------------------------------------

    def emit_encode(self, owner, fields, indent):
        out = [f"{indent}public func encode(into writer: inout WireWriter, version: Int16) {{",
               f"{indent}    let flexible = {self.name}.isFlexible(version)", f"{indent}    _ = flexible"]
        for field in fields:
            regular = field.versions
            body = self.write_value(field, f"self.{field.prop}", "writer", indent + "        ")
            if not field.tagged.empty:
                # Written in the tagged section in tagged versions, inline before them (if ever).
                inline = Versions("none") if field.tagged.contains_all(field.versions) else field.versions
                if not inline.empty:
                    out.append(f"{indent}    if {inline.condition()} && !({field.tagged.condition()}) {{")
                    out += body
                    out.append(f"{indent}    }}")
                continue
            if regular.empty:
                continue
            condition = regular.condition(within=self.versions)
            if condition == "true":
                out += [line[4:] for line in body]
            else:
                out.append(f"{indent}    if {condition} {{")
                out += body
                out.append(f"{indent}    }}")
        tagged = [f for f in fields if not f.tagged.empty]
        out.append(f"{indent}    if flexible {{")
        if not tagged:
            out.append(f"{indent}        writer.writeUnsignedVarint(0)")
        else:
            out.append(f"{indent}        var tagged: [(UInt32, [UInt8])] = []")
            for field in sorted(tagged, key=lambda f: f.tag):
                default = field.default_value(owner)
                out.append(f"{indent}        if {field.tagged.condition()} && self.{field.prop} != {default} {{")
                out.append(f"{indent}            var field = WireWriter()")
                out += self.write_value(field, f"self.{field.prop}", "field", indent + "            ")
                out.append(f"{indent}            tagged.append(({field.tag}, field.bytes))")
                out.append(f"{indent}        }}")
            out.append(f"{indent}        writer.writeTaggedFields(tagged)")
        out.append(f"{indent}    }}")
        out.append(f"{indent}}}")
        return out

    def write_value(self, field, expr, writer, indent):
        """Lines that write `expr` (the field's Swift value) with `writer`."""
        flex = field.flexible.condition()
        out = []
        if field.optional and not field.nullable.contains_all(field.versions):
            # Null only where the spec allows it; elsewhere nil is written as the empty value.
            empty = "[]" if field.is_array or field.element in ("bytes", "records") else ('""' if field.element == "string" else f"{field.element}()")
            out.append(f"{indent}let value{field.name}: {field.swift_type(None)} = {field.nullable.condition()} ? {expr} : ({expr} ?? {empty})")
            expr = f"value{field.name}"
        if field.is_array:
            count = f"{expr}{'?' if field.optional else ''}.count"
            out.append(f"{indent}if {flex} {{ {writer}.writeCompactArrayCount({count}) }} else {{ {writer}.writeArrayCount({count}) }}")
            out.append(f"{indent}for element in {expr}{' ?? []' if field.optional else ''} {{")
            out += self.write_element(field, "element", writer, indent + "    ", flex)
            out.append(f"{indent}}}")
            return out
        return out + self.write_element(field, expr, writer, indent, flex)

    def write_element(self, field, expr, writer, indent, flex):
        kind = field.element
        if field.is_struct:
            if field.optional and not field.is_array:
                return [f"{indent}if let value = {expr} {{ {writer}.writeInt8(1); value.encode(into: &{writer}, version: version) }} else {{ {writer}.writeInt8(-1) }}"]
            return [f"{indent}{expr}.encode(into: &{writer}, version: version)"]
        optional = field.optional and not field.is_array
        if kind == "string":
            value = expr if optional else expr
            method = "Nullable" if optional else ""
            return [f"{indent}if {flex} {{ {writer}.writeCompact{method}String({value}) }} else {{ {writer}.write{method}String({value}) }}"]
        if kind in ("bytes", "records"):
            method = "Nullable" if optional else ""
            return [f"{indent}if {flex} {{ {writer}.writeCompact{method}Bytes({expr}) }} else {{ {writer}.write{method}Bytes({expr}) }}"]
        return [f"{indent}{writer}.write{PRIMITIVES[kind][2]}({expr})"]

    # --- decode -----------------------------------------------------------------------------

    def emit_decode(self, owner, fields, indent):
        out = [f"{indent}public init(from reader: inout WireReader, version: Int16) throws(WireError) {{",
               f"{indent}    let flexible = {self.name}.isFlexible(version)", f"{indent}    _ = flexible",
               f"{indent}    self.init()"]
        for field in fields:
            inline = field.versions
            if not field.tagged.empty:
                inline = Versions("none") if field.tagged.contains_all(field.versions) else field.versions
                if inline.empty:
                    continue
                cond = f"{inline.condition()} && !({field.tagged.condition()})"
            else:
                if inline.empty:
                    continue
                cond = inline.condition(within=self.versions)
            body = self.read_value(owner, field, f"self.{field.prop}", "reader", indent + "        ")
            if cond == "true":
                out += [line[4:] for line in body]
            else:
                out.append(f"{indent}    if {cond} {{")
                out += body
                out.append(f"{indent}    }}")
        tagged = [f for f in fields if not f.tagged.empty]
        out.append(f"{indent}    if flexible {{")
        out.append(f'{indent}        let tagCount = try reader.readTaggedFieldCount("{owner}")')
        out.append(f"{indent}        for _ in 0..<tagCount {{")
        out.append(f'{indent}            let tag = try reader.readUnsignedVarint("{owner}.tag")')
        binding = "var" if tagged else "let"
        out.append(f'{indent}            {binding} field = try reader.readTaggedField("{owner}")')
        if tagged:
            out.append(f"{indent}            switch tag {{")
            for field in sorted(tagged, key=lambda f: f.tag):
                out.append(f"{indent}            case {field.tag} where {field.tagged.condition()}:")
                out += self.read_value(owner, field, f"self.{field.prop}", "field", indent + "                ")
            out.append(f"{indent}            default:")
            out.append(f"{indent}                break")
            out.append(f"{indent}            }}")
        else:
            out.append(f"{indent}            _ = (tag, field)")
        out.append(f"{indent}        }}")
        out.append(f"{indent}    }}")
        out.append(f"{indent}}}")
        return out

    def read_value(self, owner, field, target, reader, indent):
        flex = field.flexible.condition()
        label = f"{owner}.{plain(field.prop)}"
        if field.is_array:
            element = field.element_swift(owner)
            out = [f"{indent}do {{",
                   f'{indent}let count = {flex} ? try {reader}.readCompactArrayCount("{label}") : try {reader}.readArrayCount("{label}")',
                   f"{indent}if let count {{",
                   f"{indent}    var items: [{element}] = []",
                   f"{indent}    items.reserveCapacity(count)",
                   f"{indent}    for _ in 0..<count {{"]
            out += self.read_element(field, "let item", reader, indent + "        ", flex, label, nullable=False)
            out += [f"{indent}        items.append(item)",
                    f"{indent}    }}",
                    f"{indent}    {target} = items",
                    f"{indent}}}"]
            if not field.optional:
                out.append(f'{indent}else {{ throw WireError.invalidLength(field: "{label}", length: -1) }}')
            out.append(f"{indent}}}")
            return out
        return self.read_element(field, target, reader, indent, flex, label, nullable=field.optional)

    def read_element(self, field, target, reader, indent, flex, label, nullable):
        kind = field.element
        if field.is_struct:
            if nullable:
                return [f'{indent}{target} = try {reader}.readInt8("{label}") < 0 ? nil : try {field.element}(from: &{reader}, version: version)']
            return [f"{indent}{target} = try {field.element}(from: &{reader}, version: version)"]
        if kind == "string":
            method = "Nullable" if nullable else ""
            return [f'{indent}{target} = {flex} ? try {reader}.readCompact{method}String("{label}") : try {reader}.read{method}String("{label}")']
        if kind in ("bytes", "records"):
            method = "Nullable" if nullable else ""
            return [f'{indent}{target} = {flex} ? try {reader}.readCompact{method}Bytes("{label}") : try {reader}.read{method}Bytes("{label}")']
        return [f'{indent}{target} = try {reader}.read{PRIMITIVES[kind][2]}("{label}")']


def generate():
    files = {}
    for path in sorted(SPECS.glob("*.json")):
        spec = json.loads(strip_comments(path.read_text()))
        generator = Generator(spec)
        files[OUT / f"{spec['name']}.swift"] = generator.emit(path.name)
    names = sorted(path.stem for path in files)
    lines = [
        "// Generated by Scripts/kafka_codegen.py from Specs/kafka-messages/.",
        "// Do not edit: change the generator or the spec and regenerate.",
        "",
        "/// Every message Ebb has a codec for (the fuzzer and the golden tests walk them all).",
        "public enum KafkaMessages {",
        "    public static let all: [any KafkaMessage.Type] = [",
    ]
    lines += [f"        {name}.self," for name in names if name not in ("RequestHeader", "ResponseHeader")]
    lines += ["    ]", "}", ""]
    files[OUT / "KafkaMessages.swift"] = "\n".join(lines)
    return files


def main():
    check = "--check" in sys.argv
    files = generate()
    stale = []
    for path, text in files.items():
        current = path.read_text() if path.exists() else None
        if current != text:
            stale.append(path.relative_to(ROOT))
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    extra = [p.relative_to(ROOT) for p in OUT.glob("*.swift") if p not in files] if OUT.exists() else []
    if check:
        if stale or extra:
            for path in stale:
                print(f"stale: {path}")
            for path in extra:
                print(f"not generated from any spec: {path}")
            print("run: python3 Scripts/kafka_codegen.py")
            return 1
        print(f"{len(files)} generated files are up to date")
        return 0
    for path in extra:
        path.unlink()
    print(f"wrote {len(stale)} of {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
