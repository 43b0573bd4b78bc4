#!/bin/sh
# Builds the libFuzzer target (Fuzz/KafkaDecodeFuzzer.swift) with the codec sources and runs it
# for SECONDS (default 60). Crashes are written to .build-fuzz/crash-*.
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
mkdir -p .build-fuzz/corpus
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name KafkaFuzz \
  Sources/KafkaAdmin/WireReader.swift Sources/KafkaAdmin/WireWriter.swift Sources/KafkaAdmin/KafkaMessage.swift \
  Sources/KafkaAdmin/KafkaFrame.swift Sources/KafkaAdmin/KafkaErrorCode.swift Sources/KafkaAdmin/Generated/*.swift \
  Fuzz/KafkaDecodeFuzzer.swift -o .build-fuzz/kafka-decode-fuzzer
.build-fuzz/kafka-decode-fuzzer -max_total_time="$seconds" -artifact_prefix=.build-fuzz/ -print_final_stats=1 .build-fuzz/corpus
