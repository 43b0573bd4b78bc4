#!/usr/bin/env bash
# Formats the Swift sources with swift-format (the toolchain's `swift format`) by .swift-format;
# `--check` changes nothing and fails, naming each place, when a file is not formatted.
# The Kafka codecs in Sources/KafkaAdmin/Generated are the generator's output and are left as
# it writes them (Scripts/kafka_codegen.py --check guards those).
set -euo pipefail
cd "$(dirname "$0")/.."
files=()
while IFS= read -r file; do files+=("$file"); done < <(git ls-files --cached --others --exclude-standard '*.swift' | grep -v '^Sources/KafkaAdmin/Generated/' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
if [ "${1:-}" = "--check" ]; then
  swift format lint --strict --parallel "${files[@]}"
  echo "format: ${#files[@]} files follow .swift-format"
else
  swift format format --in-place --parallel "${files[@]}"
fi
