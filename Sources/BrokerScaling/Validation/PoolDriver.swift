/// Who sizes a pool, as `ebb validate` explains it. These are notes, not problems: the pool is
/// valid, but may not do what its author meant.
///
/// The rule for a pool driven from outside (a stock HorizontalPodAutoscaler, KEDA, `kubectl
/// scale`): `spec.replicas` is in its manifest from the start, set to the broker count it should
/// begin with. The scale subresource reads and writes `.spec.replicas`, and while that field does
/// not exist a real API server answers `GET .../brokerpools/NAME/scale` with 500 (`the spec
/// replicas field ".spec.replicas" does not exist`), so an HPA or KEDA pointed at the pool fails
/// until something sets it. Ebb never sets it: a pool with `spec.replicas` is sized from outside,
/// one without it by Ebb's own metrics and schedules.
public enum PoolDriver {
    public static func notes(for spec: BrokerPoolSpec) -> [ValidationProblem] {
        let metrics = spec.metrics?.count ?? 0
        let schedules = spec.schedules?.count ?? 0
        if let replicas = spec.replicas {
            guard metrics + schedules > 0 else { return [] }
            return [
                ValidationProblem(
                    path: "spec.replicas",
                    message:
                        "spec.replicas (\(replicas)) is set, so the count comes from outside (an HPA, KEDA or kubectl scale through the scale subresource); spec.metrics and spec.schedules are read but do not size this pool. Remove spec.replicas to let Ebb size it"
                )
            ]
        }
        guard metrics + schedules == 0 else { return [] }
        return [
            ValidationProblem(
                path: "spec.replicas",
                message:
                    "nothing sizes this pool: no spec.metrics, no spec.schedules and no spec.replicas. For a pool driven by an HPA or KEDA, set spec.replicas to the broker count to start with: while it is unset, the API server answers GET .../brokerpools/NAME/scale with 500 and the HPA cannot read the pool"
            )
        ]
    }
}
