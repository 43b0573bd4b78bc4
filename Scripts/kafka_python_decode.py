#!/usr/bin/env python3
"""Times kafka-python decoding a MetadataResponse body: the baseline of Ebb's decode benchmark.

    python3 kafka_python_decode.py FILE VERSION RUNS

Prints JSON: the median and minimum seconds per decode, and the broker and partition counts it
decoded (so the comparison knows both sides read the same thing).
"""
import json
import statistics
import sys
import time

from kafka.protocol.metadata import MetadataResponse


def main():
    data = open(sys.argv[1], "rb").read()
    version, runs = int(sys.argv[2]), int(sys.argv[3])
    times = []
    decoded = None
    for _ in range(runs):
        start = time.perf_counter()
        decoded = MetadataResponse.decode(data, version=version)
        times.append(time.perf_counter() - start)
    partitions = sum(len(topic.partitions) for topic in decoded.topics)
    print(json.dumps({"median": statistics.median(times), "min": min(times), "brokers": len(decoded.brokers), "partitions": partitions}))


if __name__ == "__main__":
    main()
