import BrokerScaling
import Testing

/// Every broken file under Fixtures/broken says, in `# expect: PATH | MESSAGE` lines, which field
/// the problem must be reported at and what the message must say.
struct BrokenFixtureTests {
    struct Fixture: CustomTestStringConvertible {
        let path: String
        let text: String
        var expectations: [(path: String, message: String)] {
            text.split(separator: "\n").compactMap { line in
                guard line.hasPrefix("# expect: ") else { return nil }
                let parts = line.dropFirst("# expect: ".count).components(separatedBy: " | ")
                return (parts[0], parts[1])
            }
        }
        var rule: String? {
            text.split(separator: "\n").first(where: { $0.hasPrefix("# rule: ") }).map { String($0.dropFirst("# rule: ".count)) }
        }
        var testDescription: String { path }
    }

    static let fixtures: [Fixture] = {
        let paths = (try? RepositoryFiles.list("Tests/BrokerScalingTests/Fixtures/broken")) ?? []
        return paths.map { Fixture(path: $0, text: (try? RepositoryFiles.read($0)) ?? "") }
    }()

    @Test func thereAreAtLeastTenBrokenFiles() {
        #expect(Self.fixtures.count >= 10)
    }

    @Test(arguments: fixtures)
    func reportsTheRightField(_ fixture: Fixture) throws {
        #expect(!fixture.expectations.isEmpty, "fixture \(fixture.path) has no '# expect:' line")
        let problems = BrokerPoolDocuments.check(fixture.text).flatMap(\.problems)
        #expect(!problems.isEmpty, "\(fixture.path) was accepted")
        for expectation in fixture.expectations {
            let found = problems.contains { $0.path == expectation.path && $0.message.contains(expectation.message) }
            #expect(found, "\(fixture.path): no problem at '\(expectation.path)' saying '\(expectation.message)'; got \(problems)")
        }
    }

    /// Each CEL rule of the CRD is also enforced in Swift, with the same message, so that servers
    /// without CEL, `ebb validate` and the operator agree.
    @Test(arguments: PoolRule.allCases)
    func everyRuleIsEnforcedInSwift(_ rule: PoolRule) throws {
        let fixture = try #require(Self.fixtures.first { $0.rule == rule.rawValue }, "no fixture breaks rule \(rule)")
        let problems = BrokerPoolDocuments.check(fixture.text).flatMap(\.problems)
        #expect(problems.contains { $0.message.contains(rule.message) }, "\(fixture.path) does not report: \(rule.message)")
    }

    @Test func problemsCarryLines() {
        let text = try! RepositoryFiles.read("Tests/BrokerScalingTests/Fixtures/broken/policy-value-zero.yaml")
        let problem = BrokerPoolDocuments.check(text).flatMap(\.problems).first
        let expectedLine = text.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex(where: { $0.contains("value: 0") }).map { $0 + 1 }
        #expect(problem?.line == expectedLine)
    }

    @Test(arguments: ["", "---\n", "[1, 2]", "just a string", "{{{{", "\u{0}\u{1}", "apiVersion: ebb.io/v1alpha1\nkind: BrokerPool\nspec: 7\n"])
    func hostileInputGivesProblemsNotCrashes(_ text: String) {
        let reports = BrokerPoolDocuments.check(text)
        #expect(!reports.isEmpty)
        #expect(reports.allSatisfy { !$0.isValid })
    }
}
