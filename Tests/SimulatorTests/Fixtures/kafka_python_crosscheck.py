#!/usr/bin/env python3
"""kafka-python, an independent Kafka client, against the simulator's Kafka face.

    python3 kafka_python_crosscheck.py 127.0.0.1:PORT

Prints one JSON object with what kafka-python saw; any protocol disagreement with our codecs
shows up as an exception (exit 1) or as wrong values checked by the Swift test.
"""
import json
import sys

from kafka import KafkaAdminClient
from kafka.structs import TopicPartition


def main():
    admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], client_id="crosscheck", request_timeout_ms=10000)
    out = {}
    cluster = admin.describe_cluster()
    out["cluster_id"] = cluster.get("cluster_id")
    out["controller_id"] = cluster.get("controller_id")
    out["brokers"] = sorted([b.get("node_id", b.get("broker_id")), b.get("rack")] for b in cluster["brokers"])
    out["topics"] = sorted(admin.list_topics())
    described = admin.describe_topics(["orders"])
    out["orders_partitions"] = sorted(
        [p["partition_index"], p["leader_id"], p["replica_nodes"]] for p in described[0]["partitions"])
    result = admin.alter_partition_reassignments({TopicPartition("orders", 0): [1002]})
    out["alter_result"] = str(result)
    ongoing = admin.list_partition_reassignments()
    out["ongoing"] = sorted(
        [tp.topic, tp.partition, sorted(info["replicas"] if isinstance(info, dict) else info.replicas)]
        for tp, info in ongoing.items())
    admin.close()
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
