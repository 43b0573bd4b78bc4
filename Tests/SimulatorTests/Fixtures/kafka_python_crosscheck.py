#!/usr/bin/env python3
"""kafka-python, an independent Kafka client, against the simulator's Kafka face.

    python3 kafka_python_crosscheck.py 127.0.0.1:PORT
    python3 kafka_python_crosscheck.py 127.0.0.1:PORT scram USER PASSWORD   # SASL SCRAM-SHA-512 first

Prints one JSON object with what kafka-python saw; any protocol disagreement with our codecs
shows up as an exception (exit 1) or as wrong values checked by the Swift test.
"""
import json
import sys

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, OffsetSpec
from kafka.structs import TopicPartition


def main():
    options = dict(bootstrap_servers=sys.argv[1], client_id="crosscheck", request_timeout_ms=10000)
    if len(sys.argv) > 2 and sys.argv[2] == "scram":
        options.update(security_protocol="SASL_PLAINTEXT", sasl_mechanism="SCRAM-SHA-512",
                       sasl_plain_username=sys.argv[3], sasl_plain_password=sys.argv[4])
    admin = KafkaAdminClient(**options)
    out = {}
    cluster = admin.describe_cluster()
    out["cluster_id"] = cluster.get("cluster_id")
    out["controller_id"] = cluster.get("controller_id")
    out["brokers"] = sorted([b.get("node_id", b.get("broker_id")), b.get("rack")] for b in cluster["brokers"])
    out["topics"] = sorted(admin.list_topics())
    described = admin.describe_topics(["orders"])
    out["orders_partitions"] = sorted(
        [p["partition_index"], p["leader_id"], p["replica_nodes"]] for p in described[0]["partitions"])
    latest = admin.list_partition_offsets({TopicPartition("orders", p): OffsetSpec.LATEST for p in range(4)})
    out["orders_end_offsets"] = sorted([tp.partition, info.offset] for tp, info in latest.items())
    out["groups"] = sorted(str(g.get("group_id") if isinstance(g, dict) else g[0]) for g in admin.list_groups())
    committed = admin.list_group_offsets({"fulfilment": None})
    committed = committed.get("fulfilment", committed)
    out["fulfilment_offsets"] = sorted([tp.topic, tp.partition, meta.offset] for tp, meta in committed.items())
    configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "orders")], config_filter="all")
    out["orders_configs"] = str(configs)
    result = admin.alter_partition_reassignments({TopicPartition("orders", 0): [1002]})
    out["alter_result"] = str(result)
    ongoing = admin.list_partition_reassignments()
    out["ongoing"] = sorted(
        [tp.topic, tp.partition, sorted(info["replicas"] if isinstance(info, dict) else info.replicas)]
        for tp, info in ongoing.items())
    elected = admin.elect_leaders(0, {"clickstream": [0]}, raise_errors=False)
    out["elected"] = str(elected)
    admin.close()
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
