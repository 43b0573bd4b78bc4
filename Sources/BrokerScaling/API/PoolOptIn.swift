/// How a StatefulSet or a Secret says which BrokerPools may use it. Whoever may create a
/// BrokerPool must not thereby get the operator to scale any StatefulSet, or send any Secret,
/// of the namespace: the owner of the StatefulSet or the Secret opts in, by naming the pools.
///
/// The annotation `ebb.io/pools` holds a comma-separated list of BrokerPool names of the same
/// namespace (`ebb.io/pools: shop-events` or `ebb.io/pools: "shop-events, billing"`); `*`
/// stands for every pool of the namespace.
public enum PoolOptIn {
    public static let annotation = "ebb.io/pools"

    /// The pool names `annotations` allow, as written.
    public static func names(in annotations: [String: String]?) -> [String] {
        guard let value = annotations?[annotation] else { return [] }
        return value.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    /// Whether `annotations` name `pool` (or `*`).
    public static func allows(_ annotations: [String: String]?, pool: String) -> Bool {
        names(in: annotations).contains { $0 == pool || $0 == "*" }
    }

    /// What to tell the user: who refused, and the command that opts the object in.
    public static func refusal(kind: String, resource: String, namespace: String, name: String, pool: String, use: String) -> String {
        "\(kind) \(namespace)/\(name) does not name BrokerPool \(pool) in its \(annotation) annotation, so Ebb does not \(use); "
            + "if it should: kubectl annotate \(resource) \(name) -n \(namespace) \(annotation)=\(pool)"
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
