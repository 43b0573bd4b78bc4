import EbbTestSupport
import Foundation
import Testing

/// Two `ebb run` replicas with leader election against a world that injects faults: 409, 410,
/// 429 and 500 from the API server, dropped watches, unanswered Kafka requests, NOT_CONTROLLER,
/// broker pods that die. The leader is SIGKILLed while it drains; the other takes the Lease
/// and finishes, and no scale action happens twice.
struct LeaderTakeoverTests {
    @Test(RealParts.needing(.kubectl, .prometheus)) func theLeaderKilledMidDrainIsReplacedAndFaultsDuplicateNothing() async throws {
        let (kubectl, prometheus) = (try await RealParts.require(.kubectl), try await RealParts.require(.prometheus))
        // A quiet day on a cluster sized for a busy one: 300 MiB/s needs 3 brokers; there are 9.
        let platform = try await Platform.start(
            kubectl: kubectl, prometheus: prometheus, points: [(0, 1), (3_600, 1)], outageAt: .infinity,
            simulateArguments: ["--brokers", "9", "--fault-rate", "0.1"])
        do {
            try await run(platform)
        } catch {
            await platform.stop()
            throw error
        }
        let said = await platform.stop()
        #expect(said.contains("no invariant broke"), "\(said.suffix(2000))")
    }

    func run(_ platform: Platform) async throws {
        try await platform.applyPool()
        var replicas = ["ebb-a": try platform.startOperator(identity: "ebb-a"), "ebb-b": try platform.startOperator(identity: "ebb-b")]
        var killed: String?
        var holders: [String] = []
        var moments: [String] = []
        let started = Date()
        func note(_ what: String) { moments.append("\(what) at \(Int(Date().timeIntervalSince(started))) s") }
        var lastState = ""
        var bothReady: Bool?
        var readiness: [String] = []
        var world = try await platform.world()
        let deadline = Date().addingTimeInterval(TestTime.scaled(seconds: 180))
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(500))
            world = try await platform.world()
            #expect(world.violations.isEmpty, "\(world.violations.prefix(3))")
            let state = try await platform.poolState()?.state
            if let state, state != lastState {
                note(state)
                lastState = state
            }
            let lease = try await platform.kubectl(["get", "leases", "ebb-operator", "-n", "ebb-system", "-o", "jsonpath={.spec.holderIdentity}"])
            let holder = lease.status == 0 ? lease.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : ""
            if !holder.isEmpty, holders.last != holder {
                holders.append(holder)
                note("lease to \(holder)")
            }
            // Both replicas are Ready, the leader and the one standing by (the Deployment runs two).
            if killed == nil, !holder.isEmpty, bothReady == nil {
                var ready: [String: Int] = [:]
                for name in replicas.keys { ready[name] = await httpGet("http://127.0.0.1:\(platform.operatorPorts[name] ?? 0)/readyz")?.status ?? 0 }
                if ready.values.allSatisfy({ $0 == 200 }) { bothReady = true } else { readiness.append("\(ready)") }
            }
            if killed == nil, state == "Draining", let leader = replicas[holder] {
                await leader.stop(SIGKILL)
                replicas[holder] = nil
                killed = holder
                note("killed \(holder)")
            }
            if killed != nil, world.brokers.count <= 3, world.reassigning == 0, state == "Stable" { break }
        }
        for (_, replica) in replicas { await replica.stop() }
        if world.brokers.count > 3 {
            for (name, replica) in replicas {
                print(
                    "--- \(name)\n" + replica.errors.split(separator: "\n").filter { !$0.contains("\"decision\"") }.suffix(25).joined(separator: "\n")
                )
            }
        }

        let records = platform.operatorLogs().split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let patches = records.filter { $0["step"] as? String == "replicas_patched" }.map { "\($0["from"] ?? "")→\($0["to"] ?? "")" }
        print(
            "leader takeover: lease holders \(holders), killed \(killed ?? "none"), replica patches \(patches), timeline \(moments), faults \(world.faults.sorted { $0.key < $1.key }), \(world.movesCompleted) moves"
        )
        let leader = try #require(killed, "the pool never drained while a leader held the Lease (holders \(holders))")
        #expect(holders.last != nil && holders.last != leader, "the other replica took the Lease: \(holders)")
        #expect(world.brokers.count <= 3, "drained and scaled in to the 3 brokers the traffic needs (\(world.brokers))")
        #expect(Set(patches).count == patches.count, "no scale action twice: \(patches)")
        #expect(world.faults.values.reduce(0, +) >= 5, "faults injected: \(world.faults)")
        #expect(bothReady == true, "both replicas answer /readyz 200 while one leads: \(readiness.suffix(5))")
        // On the wire (the face's request log): one write per decision and step, no stale status
        // write, nothing the shipped RBAC refuses, and every grant used.
        print("leader takeover: operator API \(world.operatorAPI.requests) requests, unused grants \(world.operatorAPI.unusedGrants)")
        #expect(world.operatorAPI.defects.isEmpty, "\(world.operatorAPI.defects.prefix(10))")
        #expect(world.operatorAPI.unexplainedUnusedGrants(leaderElection: true).isEmpty, "RBAC grants never used: \(world.operatorAPI.unusedGrants)")
    }
}
