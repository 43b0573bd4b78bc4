import BrokerScaling
import Foundation
import Simulator

/// The Kubernetes HPA controller's algorithm (autoscaling/v2, `behavior` defaults), written
/// out here so that the baselines stay the stock HPA whatever Ebb's own decision engine
/// becomes: desired = ceil(current × usage / target) outside a 10 % tolerance (for an
/// AverageValue target on an external metric, ceil(total / target)); unready pods count as 0 %
/// CPU on a scale-up; the highest recommendation of the last 300 s wins a scale-down; a scale-up
/// adds at most max(100 %, 4 pods) per 15 s; min and max replicas clamp.
struct StockHPA {
    enum Reading {
        /// CPU utilization (percent of request) of each ready pod, and how many pods are not ready.
        case utilization(ready: [Double], unready: Int, target: Double)
        /// An external metric's total, for an AverageValue target per pod.
        case averageValue(total: Double, target: Double)
    }

    var minReplicas: Int
    var maxReplicas: Int
    let tolerance = 0.1
    let downStabilization = 300.0
    private var recommendations: [(time: Double, replicas: Int)] = []
    private var scaleUps: [(time: Double, added: Int)] = []

    init(minReplicas: Int, maxReplicas: Int) {
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
    }

    /// The replica count for now, from the current count and the reading (nil: no reading, keep).
    mutating func desired(current: Int, reading: Reading?, now: Double) -> Int {
        var proposal = current
        switch reading {
        case .utilization(let ready, let unready, let target)?:
            guard !ready.isEmpty else { break }
            let ratio = ready.reduce(0, +) / Double(ready.count) / target
            if abs(ratio - 1) > tolerance {
                if ratio > 1, unready > 0 {
                    // On a scale-up, unready pods are taken at 0 %: no change if that flips it.
                    let cautious = ready.reduce(0, +) / Double(ready.count + unready) / target
                    if cautious > 1 + tolerance { proposal = Int((cautious * Double(ready.count + unready)).rounded(.up)) }
                } else {
                    proposal = Int((ratio * Double(ready.count)).rounded(.up))
                }
            }
        case .averageValue(let total, let target)?:
            let ratio = total / (target * Double(max(1, current)))
            if abs(ratio - 1) > tolerance { proposal = Int((total / target).rounded(.up)) }
        case nil:
            break
        }
        proposal = min(maxReplicas, max(minReplicas, proposal))
        // Scale-down stabilization: the highest recommendation of the window.
        recommendations.append((now, proposal))
        recommendations.removeAll { $0.time <= now - downStabilization }
        var next = proposal
        if proposal < current { next = min(current, recommendations.map(\.replicas).max() ?? proposal) }
        if next > current {
            scaleUps.removeAll { $0.time <= now - 15 }
            let recent = scaleUps.reduce(0) { $0 + $1.added }
            let base = current - recent
            let limit = max(base * 2, base + 4)
            next = min(next, max(current, limit))
            if next > current { scaleUps.append((now, next - current)) }
        }
        return min(maxReplicas, max(minReplicas, next))
    }
}
