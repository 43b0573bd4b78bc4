import BrokerScaling
import KubernetesTypes

/// Server-side printing: the `Table` kubectl asks for (`Accept: ...;as=Table`), with a CRD's
/// additionalPrinterColumns and ages as the API server prints them, so `kubectl get brokerpools` shows Ebb's columns.
extension KubernetesWorld {
    static func tableColumns(_ resource: FaceResource) -> [JSON] {
        var columns: [JSON] = [
            .object([
                "name": .string("Name"), "type": .string("string"), "format": .string("name"), "description": .string("Name"), "priority": .int(0)
            ])
        ]
        for column in resource.columns where column.name != "Age" {
            columns.append(
                .object([
                    "name": .string(column.name), "type": .string(column.type), "format": .string(""), "description": .string(column.description),
                    "priority": .int(0)
                ]))
        }
        columns.append(
            .object([
                "name": .string("Age"), "type": .string("date"), "format": .string(""), "description": .string("Time since creation"),
                "priority": .int(0)
            ]))
        return columns
    }

    static func cell(_ object: JSON, _ column: FaceResource.Column) -> JSON {
        switch column.jsonPath {
        case "#ready":
            let ready =
                object.value(at: "status.conditions")?.arrayValue?.contains { $0["type"]?.string == "Ready" && $0["status"]?.string == "True" }
                ?? false
            return .string(ready ? "1/1" : "0/1")
        case "#readyOfReplicas":
            return .string("\(object.value(at: "status.readyReplicas")?.int ?? 0)/\(object.value(at: "spec.replicas")?.int ?? 1)")
        default:
            return object.value(at: column.jsonPath) ?? .null
        }
    }

    /// As the API server prints a date column: the age, e.g. `45s`, `12m`, `3h`, `9d`.
    static func age(_ timestamp: String?, now: Double) -> JSON {
        guard let timestamp, let created = TimeFormat.parse(timestamp) else { return .string("<unknown>") }
        let seconds = max(0, Int(now - created.timeIntervalSince1970))
        switch seconds {
        case ..<120: return .string("\(seconds)s")
        case ..<(120 * 60): return .string("\(seconds / 60)m")
        case ..<(48 * 3600): return .string("\(seconds / 3600)h")
        default: return .string("\(seconds / 86_400)d")
        }
    }

    static func row(_ object: JSON, _ resource: FaceResource, now: Double) -> JSON {
        var cells: [JSON] = [object.value(at: "metadata.name") ?? .string("")]
        for column in resource.columns where column.name != "Age" { cells.append(cell(object, column)) }
        cells.append(age(object.value(at: "metadata.creationTimestamp")?.string, now: now))
        return .object([
            "cells": .array(cells),
            "object": .object([
                "kind": .string("PartialObjectMetadata"), "apiVersion": .string("meta.k8s.io/v1"), "metadata": object["metadata"] ?? .object([:])
            ])
        ])
    }

    static func table(_ objects: [JSON], _ resource: FaceResource, resourceVersion: String, next: String?, now: Double) -> JSON {
        var metadata: [String: JSON] = ["resourceVersion": .string(resourceVersion)]
        if let next { metadata["continue"] = .string(next) }
        return .object([
            "kind": .string("Table"), "apiVersion": .string("meta.k8s.io/v1"), "metadata": .object(metadata),
            "columnDefinitions": .array(tableColumns(resource)), "rows": .array(objects.map { row($0, resource, now: now) })
        ])
    }
}
