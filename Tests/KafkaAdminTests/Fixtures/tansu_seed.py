#!/usr/bin/env python3
"""Seeds a broker through kafka-python, an independent client: a topic, records, and a
consumer group's committed offsets.

    python3 tansu_seed.py 127.0.0.1:PORT TOPIC GROUP RECORDS COMMITTED

Produces RECORDS records to partition 0 of TOPIC and commits COMMITTED for GROUP on it.
Prints the high watermark kafka-python reads back, as JSON.
"""
import json
import sys

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic, OffsetSpec
from kafka.structs import OffsetAndMetadata, TopicPartition


def main():
    bootstrap, topic, group, records, committed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="seed", request_timeout_ms=10000)
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    producer = KafkaProducer(bootstrap_servers=bootstrap, client_id="seed", acks=1, linger_ms=0)
    for index in range(records):
        producer.send(topic, value=b"order-%d" % index, partition=0)
    producer.flush()
    producer.close()
    tp = TopicPartition(topic, 0)
    admin.alter_group_offsets(group, {tp: OffsetAndMetadata(committed, "", -1)})
    latest = admin.list_partition_offsets({tp: OffsetSpec.LATEST})
    admin.close()
    print(json.dumps({"high_watermark": latest[tp].offset}))


if __name__ == "__main__":
    main()
