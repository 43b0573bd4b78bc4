#!/usr/bin/env python3
"""Golden bytes for Ebb's Kafka codecs, encoded by kafka-python (an implementation nobody here
wrote) from the same message specs.

    pip install kafka-python
    python3 Scripts/kafka_goldens.py > Tests/KafkaAdminTests/Fixtures/goldens.json

Each case names a message, a version and field values; the Swift tests decode kafka-python's
bytes, check the values, and re-encode them to the same bytes.
"""
import importlib
import json
import re
import sys

CLASSES = {
    "ApiVersions": "kafka.protocol.metadata.api_versions",
    "Metadata": "kafka.protocol.metadata.metadata",
    "FindCoordinator": "kafka.protocol.metadata.find_coordinator",
}


def find_class(name):
    """kafka-python's class for a message name, wherever it lives."""
    base = re.sub(r"(Request|Response)$", "", name)
    candidates = [CLASSES.get(base)] + [
        "kafka.protocol.admin.cluster", "kafka.protocol.admin.configs", "kafka.protocol.admin.groups",
        "kafka.protocol.admin.topics", "kafka.protocol.consumer.offsets", "kafka.protocol.consumer.group",
        "kafka.protocol.consumer.metadata", "kafka.protocol.sasl", "kafka.protocol.metadata.metadata",
    ]
    for module_name in candidates:
        if not module_name:
            continue
        module = importlib.import_module(module_name)
        if hasattr(module, name):
            return getattr(module, name)
    raise SystemExit(f"kafka-python has no class {name}")


def build(cls, root, values):
    """An instance of cls (nested classes looked up on it or on the message class) from a dict."""
    kwargs = {}
    for key, value in values.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            nested = None
            for holder in (cls, root):
                for attribute in dir(holder):
                    candidate = getattr(holder, attribute)
                    if isinstance(candidate, type) and attribute[0].isupper() and hasattr(candidate, "fields"):
                        names = list(candidate.fields)
                        if set(value[0]).issubset(set(names)):
                            nested = candidate
                            break
                if nested:
                    break
            if nested is None:
                raise SystemExit(f"no nested class of {cls.__name__} fits {key}")
            kwargs[key] = [build(nested, root, item) for item in value]
        else:
            kwargs[key] = value
    return cls(**kwargs)


CASES = [
    ("ApiVersionsRequest", 0, {}),
    ("ApiVersionsRequest", 3, {"client_software_name": "ebb", "client_software_version": "0.1.0"}),
    ("ApiVersionsResponse", 0, {"error_code": 0, "api_keys": [{"api_key": 3, "min_version": 0, "max_version": 12}, {"api_key": 45, "min_version": 0, "max_version": 0}]}),
    ("ApiVersionsResponse", 3, {"error_code": 0, "api_keys": [{"api_key": 18, "min_version": 0, "max_version": 4}], "throttle_time_ms": 7, "finalized_features_epoch": 5}),
    ("MetadataRequest", 0, {"topics": [{"name": "orders"}]}),
    ("MetadataRequest", 4, {"topics": None, "allow_auto_topic_creation": False}),
    ("MetadataRequest", 9, {"topics": [{"name": "orders"}, {"name": "clickstream"}], "allow_auto_topic_creation": False, "include_topic_authorized_operations": True}),
    ("MetadataRequest", 12, {"topics": [{"name": "orders"}], "allow_auto_topic_creation": False}),
    ("MetadataResponse", 1, {"brokers": [{"node_id": 1000, "host": "broker-0", "port": 9092, "rack": None}, {"node_id": 1001, "host": "broker-1", "port": 9092, "rack": "us-east-1b"}], "controller_id": 1000,
        "topics": [{"error_code": 0, "name": "orders", "is_internal": False, "partitions": [{"error_code": 0, "partition_index": 0, "leader_id": 1000, "replica_nodes": [1000, 1001], "isr_nodes": [1000]}]}]}),
    ("MetadataResponse", 12, {"throttle_time_ms": 0, "brokers": [{"node_id": 1000, "host": "broker-0", "port": 9092, "rack": "us-east-1a"}], "cluster_id": "shop-cluster", "controller_id": 1000,
        "topics": [{"error_code": 0, "name": "orders", "is_internal": False, "partitions": [{"error_code": 0, "partition_index": 3, "leader_id": 1000, "leader_epoch": 7, "replica_nodes": [1000], "isr_nodes": [1000], "offline_replicas": []}]}]}),
    ("FindCoordinatorRequest", 4, {"key_type": 0, "coordinator_keys": ["order-fulfilment"]}),
    ("DescribeClusterResponse", 0, {"throttle_time_ms": 0, "error_code": 0, "error_message": None, "cluster_id": "shop-cluster", "controller_id": 1000,
        "brokers": [{"broker_id": 1000, "host": "broker-0", "port": 9092, "rack": "us-east-1a"}]}),
    ("AlterPartitionReassignmentsRequest", 0, {"timeout_ms": 60000, "topics": [{"name": "orders", "partitions": [{"partition_index": 0, "replicas": [1006]}, {"partition_index": 1, "replicas": None}]}]}),
    ("ListPartitionReassignmentsResponse", 0, {"throttle_time_ms": 0, "error_code": 0, "error_message": None,
        "topics": [{"name": "orders", "partitions": [{"partition_index": 0, "replicas": [1000, 1006], "adding_replicas": [1006], "removing_replicas": [1000]}]}]}),
    ("SaslHandshakeRequest", 1, {"mechanism": "SCRAM-SHA-512"}),
    ("SaslAuthenticateRequest", 2, {"auth_bytes": b"n,,n=ebb,r=abc"}),
    ("SaslAuthenticateResponse", 1, {"error_code": 0, "error_message": None, "auth_bytes": b"v=signature", "session_lifetime_ms": 3600000}),
    ("ListOffsetsRequest", 1, {"replica_id": -1, "topics": [{"name": "orders", "partitions": [{"partition_index": 0, "timestamp": -1}, {"partition_index": 1, "timestamp": -2}]}]}),
    ("ListOffsetsRequest", 7, {"replica_id": -1, "isolation_level": 0, "topics": [{"name": "orders", "partitions": [{"partition_index": 2, "current_leader_epoch": 4, "timestamp": -1}]}]}),
    ("ListOffsetsResponse", 1, {"topics": [{"name": "orders", "partitions": [{"partition_index": 0, "error_code": 0, "timestamp": -1, "offset": 120034}]}]}),
    ("ListOffsetsResponse", 7, {"throttle_time_ms": 0, "topics": [{"name": "orders", "partitions": [{"partition_index": 2, "error_code": 6, "timestamp": -1, "offset": -1, "leader_epoch": 4}]}]}),
    ("FindCoordinatorRequest", 1, {"key": "order-fulfilment", "key_type": 0}),
    ("FindCoordinatorResponse", 1, {"throttle_time_ms": 0, "error_code": 0, "error_message": None, "node_id": 1002, "host": "broker-2", "port": 9092}),
    ("FindCoordinatorResponse", 4, {"throttle_time_ms": 0, "coordinators": [{"key": "order-fulfilment", "node_id": 1002, "host": "broker-2", "port": 9092, "error_code": 0, "error_message": None}]}),
    ("OffsetFetchRequest", 3, {"group_id": "order-fulfilment", "topics": None}),
    ("OffsetFetchRequest", 8, {"groups": [{"group_id": "order-fulfilment", "topics": None}], "require_stable": False}),
    ("OffsetFetchResponse", 3, {"throttle_time_ms": 0, "topics": [{"name": "orders", "partitions": [{"partition_index": 0, "committed_offset": 99, "metadata": "", "error_code": 0}]}], "error_code": 0}),
    ("OffsetFetchResponse", 8, {"throttle_time_ms": 0, "groups": [{"group_id": "order-fulfilment", "topics": [{"name": "orders", "partitions": [{"partition_index": 0, "committed_offset": 99, "committed_leader_epoch": 3, "metadata": None, "error_code": 0}]}], "error_code": 0}]}),
    ("ListGroupsResponse", 1, {"throttle_time_ms": 0, "error_code": 0, "groups": [{"group_id": "order-fulfilment", "protocol_type": "consumer"}]}),
    ("ListGroupsResponse", 4, {"throttle_time_ms": 0, "error_code": 0, "groups": [{"group_id": "order-fulfilment", "protocol_type": "consumer", "group_state": "Stable"}]}),
    ("DescribeGroupsRequest", 5, {"groups": ["order-fulfilment"], "include_authorized_operations": False}),
    ("DescribeGroupsResponse", 1, {"throttle_time_ms": 0, "groups": [{"error_code": 0, "group_id": "order-fulfilment", "group_state": "Stable", "protocol_type": "consumer", "protocol_data": "range",
        "members": [{"member_id": "c-1", "client_id": "checkout", "client_host": "/10.0.0.7", "member_metadata": b"", "member_assignment": b""}]}]}),
    ("ElectLeadersRequest", 0, {"topic_partitions": [{"topic": "orders", "partitions": [0, 3]}], "timeout_ms": 30000}),
    ("ElectLeadersRequest", 2, {"election_type": 0, "topic_partitions": None, "timeout_ms": 30000}),
    ("ElectLeadersResponse", 1, {"throttle_time_ms": 0, "error_code": 0, "replica_election_results": [{"topic": "orders", "partition_result": [{"partition_id": 0, "error_code": 84, "error_message": "not needed"}]}]}),
    ("DescribeConfigsRequest", 1, {"resources": [{"resource_type": 2, "resource_name": "orders", "configuration_keys": None}], "include_synonyms": False}),
    ("DescribeConfigsRequest", 4, {"resources": [{"resource_type": 4, "resource_name": "1001", "configuration_keys": ["broker.rack"]}], "include_synonyms": False, "include_documentation": False}),
    ("DescribeConfigsResponse", 1, {"throttle_time_ms": 0, "results": [{"error_code": 0, "error_message": None, "resource_type": 2, "resource_name": "orders",
        "configs": [{"name": "cleanup.policy", "value": "delete", "read_only": False, "config_source": 5, "is_sensitive": False, "synonyms": []}]}]}),
    ("DescribeConfigsResponse", 4, {"throttle_time_ms": 0, "results": [{"error_code": 0, "error_message": None, "resource_type": 4, "resource_name": "1001",
        "configs": [{"name": "broker.rack", "value": "eu-west-1b", "read_only": True, "config_source": 4, "is_sensitive": False, "synonyms": [], "config_type": 2, "documentation": None}]}]}),
]


def main():
    out = []
    for name, version, values in CASES:
        cls = find_class(name)
        message = build(cls, cls, values)
        data = bytes(message.encode(version=version))
        printable = json.loads(json.dumps(values, default=lambda v: v.decode() if isinstance(v, bytes) else str(v)))
        out.append({"message": name, "version": version, "values": printable, "hex": data.hex()})
    json.dump({"generatedBy": "kafka-python " + importlib.import_module("kafka").__version__, "cases": out}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
